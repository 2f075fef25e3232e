// Nothing rolegate needs. `base` only lets the test serve each fixture under its own path.
import { defineConfig } from 'vite';

export default defineConfig({ base: './', logLevel: 'warn' });
