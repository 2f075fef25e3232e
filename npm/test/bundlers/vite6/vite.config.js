// Nothing rolegate needs: Vite 6's default build target (no top-level await) builds the
// package as it is. `base` only lets the test serve each fixture under its own path.
export default { base: './', logLevel: 'warn' };
