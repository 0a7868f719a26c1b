// ESLint for the map page's ES modules (web/js): the recommended rules, browser globals, and
// no HTML from strings — the page builds its DOM with createElement and
// textContent (js/dom.js), so nothing can inject markup. Run by scripts/ci/lint_web.sh.
import js from '@eslint/js';
import globals from 'globals';

const noHtml = 'build elements with el() (js/dom.js): createElement and textContent, never HTML strings';

export default [
  js.configs.recommended,
  {
    files: ['js/**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: globals.browser,
    },
    rules: {
      'no-restricted-properties': ['error',
        ...['innerHTML', 'outerHTML', 'insertAdjacentHTML'].map((property) => ({ property, message: noHtml })),
        { object: 'document', property: 'write', message: noHtml },
        { object: 'document', property: 'writeln', message: noHtml },
      ],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.property.name='createContextualFragment']", message: noHtml },
        // MapLibre sets a popup's HTML string as innerHTML: give it an element (setDOMContent).
        { selector: "CallExpression[callee.property.name='setHTML']", message: noHtml },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
];
