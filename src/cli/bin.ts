import { join } from 'node:path';
import { userStateDirectory } from '../core/userStateDirectory';
import { installCodeCache } from './codeCache';

// dist/cli.js: kept to this much so that the command itself (dist/cli-main.js) and the SDKs it loads come from the code cache.
installCodeCache(__dirname, join(userStateDirectory(), 'code-cache'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./cli-main.js') as typeof import('./main')).runAsProgram();
