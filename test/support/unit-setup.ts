/**
 * Run in every file of `npm run test:unit`: once the file ends, the folders
 * its tests worked in are removed. (test/support/setup.ts does this, and
 * stops commands left running, for the full suite; it needs the build.)
 */

import { afterAll } from 'vitest';
import { removeScratchFolders } from './scratch.js';

afterAll(removeScratchFolders);
