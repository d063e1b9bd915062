// `uses: node` target: totals the `json` numbers of a forEach task's outputs.
/** @param {Array<{ json?: number }>} outputs */
export function sumJson(outputs) {
  return outputs.reduce((total, output) => total + (typeof output.json === 'number' ? output.json : 0), 0);
}
