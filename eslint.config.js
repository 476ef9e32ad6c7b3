// ESLint for the explorer (api/static/js, browser ES modules) and its node tests.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "tools/neo4j/", "out/"] },
  js.configs.recommended,
  {
    files: ["api/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      // vis-network is loaded by a classic <script> tag from the API's vendored copy.
      globals: { ...globals.browser, vis: "readonly" },
    },
  },
  {
    // The public site's one script (public/, a classic script: no module, no globals).
    files: ["public/static/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: globals.browser },
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
  {
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "prefer-const": "error",
      "no-var": "error",
    },
  },
];
