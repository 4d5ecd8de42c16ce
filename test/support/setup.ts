/**
 * Run in every test file: after each test, any command the test ran in
 * process and left running (it timed out) is stopped and waited for, so it
 * cannot hold a store the next test uses; once the file ends, the folders
 * its tests worked in are removed.
 */

import { afterAll, afterEach } from 'vitest';
import { stopLeftoverRuns } from './cli.js';
import { removeScratchFolders } from './scratch.js';

afterEach(stopLeftoverRuns);
afterAll(removeScratchFolders);
