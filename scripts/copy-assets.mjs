// Copy the U.S. Web Design System's built files from node_modules into
// static/vendor/uswds/, where Django's staticfiles finds them. The copy is a build
// product: static/vendor/ is git-ignored and never committed.
import { cpSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "node_modules", "@uswds", "uswds", "dist");
const target = join(root, "static", "vendor", "uswds");

if (!existsSync(source)) {
  console.error(`Missing ${source}: run "npm ci" first.`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
for (const folder of ["css", "js", "fonts", "img"]) {
  cpSync(join(source, folder), join(target, folder), { recursive: true });
}
console.log(`USWDS assets copied to ${target}`);
