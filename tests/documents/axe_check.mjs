// Accessibility check of HTML files with axe-core in headless Debian Chromium.
//
// Usage: node tests/documents/axe_check.mjs FILE.html [FILE.html …]
// Prints {"FILE.html": [violation, …], …} as JSON on stdout (only the WCAG
// 2.0/2.1 A and AA rules) and exits 0; exits 2 with a message on stderr when
// the check itself cannot run. One browser checks all files; each page is
// loaded from a file: URL with the network blocked, in a fresh, empty profile
// (playwright's own temporary user-data-dir). SLA_CHROMIUM overrides the
// browser path (default /usr/bin/chromium).

import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.SLA_CHROMIUM || "/usr/bin/chromium";
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

async function check(context, axePath, file) {
  const page = await context.newPage();
  // Only the file itself and inline data: images; nothing from a network.
  await page.route("**/*", (route) => {
    const url = route.request().url();
    return url.startsWith("file:") || url.startsWith("data:") ? route.continue() : route.abort();
  });
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: "load" });
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
    }));
  });
  await page.close();
  return violations;
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error("usage: node axe_check.mjs FILE.html [FILE.html …]");
  const { chromium } = require("playwright-core");
  const axePath = require.resolve("axe-core/axe.min.js");
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const context = await browser.newContext({ offline: true });
    const results = {};
    for (const file of files) results[file] = await check(context, axePath, file);
    process.stdout.write(JSON.stringify(results, null, 2) + "\n");
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`axe_check: ${error && error.stack ? error.stack : error}\n`);
  process.exit(2);
});
