// webpack 5 with its defaults for the web: the package's `new URL('…wasm', import.meta.url)`
// becomes an emitted asset; nothing rolegate-specific is configured.
import webpack from 'webpack';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const compiler = webpack({
  mode: 'production',
  context: here,
  entry: './main.js',
  output: { path: `${here}dist`, filename: 'main.js', publicPath: 'auto', clean: true },
});
compiler.run((error, stats) => {
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString('errors-only'));
    process.exit(1);
  }
  compiler.close(() => {});
});
