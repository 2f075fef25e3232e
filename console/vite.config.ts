import { defineConfig } from 'vite';

// The console is served by `rolegate serve` under /console/ (see server/src/api/console.rs),
// with a Content-Security-Policy that allows this origin's scripts, styles and WebAssembly
// only: no inline scripts or styles, so everything here is emitted as files.
export default defineConfig({
  base: '/console/',
  resolve: {
    // `rolegate` is a link to ../npm; its React bindings must use this app's React, not look
    // for one beside the package.
    dedupe: ['react', 'react-dom'],
  },
  build: {
    target: 'es2022',
    // The wasm engine is a file of its own (fetched by init()), never inlined as base64.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    fs: { allow: ['..'] },
    // `npm run dev` talks to a `rolegate serve --demo` on :8080 for the API.
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
