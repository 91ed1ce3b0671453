// The storefront in headless Chromium: the product grid loads, an Indonesian and a
// Vietnamese question in the chat widget get product cards with prices, and a
// screenshot is saved. Usage: node storefront.mjs BASE_URL SCREENSHOT_DIR
import { chromium } from "playwright-core";

const [base, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const fail = async (page, message) => {
  await page.screenshot({ path: `${shots}/failure.png`, fullPage: true }).catch(() => {});
  console.error(message);
  await browser.close();
  process.exit(1);
};

// a phone-sized screen, Indonesian by default
const context = await browser.newContext({ viewport: { width: 390, height: 800 }, locale: "id-ID" });
const page = await context.newPage();
await page.goto(base);
await page.waitForSelector("#grid .card", { timeout: 15000 });
const firstPrice = await page.textContent("#grid .card .price");
if (!/^Rp /.test(firstPrice || "")) await fail(page, `the grid shows ${firstPrice}`);

async function ask(text, currency) {
  const before = await page.locator(".msg.bot").count();
  await page.fill("#message", text);
  await page.click("#send");
  await page.waitForFunction(n => document.querySelectorAll(".msg.bot").length > n, before, { timeout: 15000 });
  const cards = page.locator("#log .mini").last().locator(".card .price");
  await cards.first().waitFor({ timeout: 15000 });
  const prices = await cards.allTextContents();
  if (!prices.length || !prices.every(p => p.includes(currency))) {
    await fail(page, `"${text}" showed prices ${JSON.stringify(prices)}`);
  }
  return prices.length;
}

await page.click("#chat-toggle");
const id = await ask("ada sepatu lari merah di bawah 500rb?", "Rp");
const vi = await ask("tìm giày sneaker màu trắng dưới 1 triệu", "₫");
const quick = await page.locator("#quick button").count();
if (quick === 0) await fail(page, "no quick replies");
await page.screenshot({ path: `${shots}/storefront-chat.png` });
console.log(`ok: ${id} Indonesian and ${vi} Vietnamese product cards, ${quick} quick replies`);
await browser.close();
