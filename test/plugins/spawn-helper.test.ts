// Shell tasks' processes come from the native spawn helper (plugins/shell/spawn-helper.c), which
// the build compiles when the machine has a C compiler. In CI (CI=true) it must have been built.
import { describe, expect, it } from 'vitest';
import { nativeHelperBuilt, nativeHelperFile } from '../../plugins/shell/native-helper.js';
import { describeSpawnHelper } from './spawn-helper-cases.js';

const missing = nativeHelperBuilt() ? undefined : `${nativeHelperFile} was not built (no C compiler when npm run build ran)`;

describe('the native spawn helper', () => {
  it('is built wherever a C compiler is, and always in CI', () => {
    if (process.env.CI === 'true') expect(missing).toBeUndefined();
  });
});

describeSpawnHelper('weft-spawn', false, missing);
