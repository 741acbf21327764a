// Renders the HTML report of the known run in headless Chromium (through playwright-core) and
// checks what a reader sees: the counts, every scenario listed, and the failures-only switch
// leaving only the two failed ones visible. Screenshots go to target/tmp/.
import { chromium } from "playwright-core";

const [report, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
await page.goto(`file://${report}`);
const text = async (sel) => (await page.textContent(sel)).trim();
const visible = async () => page.locator("details.scenario").filter({ visible: true }).count();
const fail = (msg) => { console.error(`html report: ${msg}`); process.exit(1); };

if ((await text("#count-passed")) !== "2" || (await text("#count-failed")) !== "2" || (await text("#count-skipped")) !== "1" || (await text("#count-inconclusive")) !== "1") {
  fail("the counts are not 2 passed / 2 failed / 1 inconclusive / 1 skipped");
}
if (!(await text("#meta-started")) || !(await text("#meta-version"))) fail("run metadata is missing");
const all = await visible();
if (all !== 6) fail(`expected 6 scenarios listed, saw ${all}`);
await page.screenshot({ path: `${shots}/known-run.png`, fullPage: true });
await page.click("label[for=only-failed]");
const failed = await visible();
if (failed !== 2) fail(`with "show failures only", expected 2 scenarios, saw ${failed}`);
await page.screenshot({ path: `${shots}/known-run-failures.png`, fullPage: true });

// The load and bench reports: every chart is drawn (inline SVG of a real size) with its title.
for (const [file, charts, titles] of [
  ["known-load.html", 3, ["Achieved rate against offered rate", "Latency against offered rate", "Membership PATCH latency against group size"]],
  ["known-bench.html", 2, ["Requests per second, % of the bare baseline", "Per-tenant latency, 200 tenants sorted by p99"]],
]) {
  await page.goto(`file://${shots}/${file}`);
  const svgs = page.locator("figure.chart svg");
  if ((await svgs.count()) !== charts) fail(`${file}: expected ${charts} charts, saw ${await svgs.count()}`);
  for (let i = 0; i < charts; i++) {
    const box = await svgs.nth(i).boundingBox();
    if (!box || box.width < 300 || box.height < 150) fail(`${file}: chart ${i + 1} is not drawn at a readable size`);
  }
  const shown = await page.locator("figure.chart").allTextContents();
  for (const t of titles) if (!shown.some((x) => x.includes(t))) fail(`${file}: no chart titled "${t}"`);
  await page.screenshot({ path: `${shots}/${file.replace(".html", ".png")}`, fullPage: true });
}
await browser.close();
console.log("html reports: rendered in headless Chromium; check: counts, metadata, 6 scenarios, 2 after 'show failures only'; load: 3 charts, bench: 2 charts, each drawn with its title; screenshots in target/tmp/");
