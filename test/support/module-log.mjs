/**
 * Loaded with `node --import ./test/support/module-log.mjs`: registers
 * module-log-hooks.mjs, which appends the URL of every module the process
 * loads to the file $MODULE_LOG, one a line. Start-up tests read it to see
 * what a command loads before it needs it.
 */

import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
