/**
 * The dashboard's browser entry (bundled by scripts/build-dashboard.mjs): styles, then the app
 * rendered into the shell's `#app`.
 */
import './styles.css';
import { render } from 'hono/jsx/dom';
import { App } from './app.tsx';

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App />, root);
}
