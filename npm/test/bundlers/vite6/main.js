import * as rolegate from 'rolegate';
import { run } from '../shared/app.js';

run(rolegate);
