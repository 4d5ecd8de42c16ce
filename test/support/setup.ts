/**
 * Run in every test file: after each test, any command the test ran in
 * process and left running (it timed out) is stopped and waited for, so it
 * cannot hold a store the next test uses.
 */

import { afterEach } from 'vitest';
import { stopLeftoverRuns } from './cli.js';

afterEach(stopLeftoverRuns);
