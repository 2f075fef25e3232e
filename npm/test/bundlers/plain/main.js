// No bundler: the browser entry straight from node_modules, as a static server serves it.
import * as rolegate from './node_modules/rolegate/src/browser.js';
import { run } from '../shared/app.js';

run(rolegate);
