import { describe, expect, it } from 'vitest';
import { createTemplateEngine, renderValue } from '../../engine/handlebars/render.js';
import { newSecretNonce, placeholdSecrets, resolveSecrets } from '../../engine/pool/queue-secrets.js';

const engine = createTemplateEngine({ helpers: { shout: (s: unknown) => String(s).toUpperCase() } });
const secrets = { TOKEN: "it's a s3cret; rm -rf ~", KEY: 'plain-key' };

/** Render on the "coordinator" with placeholders, resolve on the "worker": must equal rendering with the values. */
function viaQueue(template: unknown, shell: boolean): unknown {
  const nonce = newSecretNonce();
  const rendered = renderValue(engine, template, { secrets: placeholdSecrets(Object.keys(secrets), nonce) }, { shell });
  expect(JSON.stringify(rendered)).not.toContain('s3cret');
  return resolveSecrets(rendered, secrets, nonce);
}

describe('secret placeholders', () => {
  it.each([
    ['a quoted shell word', 'curl -H "X: y" {{secrets.TOKEN}} --key {{secrets.KEY}}', true],
    ['a raw shell insertion', 'export T={{{secrets.TOKEN}}}', true],
    ['a shell command\'s double quotes', 'curl -H "Authorization: Bearer {{secrets.TOKEN}}" -d "k={{secrets.KEY}}"', true],
    // (Alone in '…', a placeholder reads as a quoted word: the same word, maybe without the quotes.)
    ['a shell command\'s single quotes', "printf '%s' 'token: {{secrets.TOKEN}}' 'k={{secrets.KEY}}'", true],
    ['a here-document', 'cat <<EOF\ntoken {{secrets.TOKEN}}\nEOF\ncat <<\'EOF\'\nkey {{secrets.KEY}}\nEOF', true],
    ['text', 'Bearer {{secrets.TOKEN}} and {{secrets.KEY}}', false],
    ['a whole value', '{{secrets.TOKEN}}', false],
    ['nested values', { headers: { auth: 'Bearer {{secrets.KEY}}' }, list: ['{{secrets.TOKEN}}'] }, false],
  ])('render as the values would in %s', (_, template, shell) => {
    const direct = renderValue(engine, template, { secrets }, { shell: shell as boolean });
    expect(viaQueue(template, shell as boolean)).toEqual(direct);
  });

  it('refuses a secret a helper has changed, rather than sending a wrong value', () => {
    expect(() => viaQueue('{{shout secrets.TOKEN}}', false)).toThrow(expect.objectContaining({ code: 'TEMPLATE_ERROR' }));
  });

  it('names a secret the worker does not have', () => {
    const nonce = newSecretNonce();
    const rendered = renderValue(engine, '{{secrets.OTHER}}', { secrets: placeholdSecrets(['OTHER'], nonce) }, {});
    expect(() => resolveSecrets(rendered, secrets, nonce)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', message: expect.stringContaining('OTHER') }));
  });
});
