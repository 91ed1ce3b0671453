// The storefront: a product grid and a chat widget over pasar's API.
"use strict";

const WORDS = {
  id: { search: "Cari", hint: "Cari produk, misal sepatu lari hitam", add: "+ Keranjang", sold: "Stok habis",
        chat: "Chat dengan toko", send: "Kirim", say: "Tulis pesan…", all: "Semua", found: n => `${n} produk`,
        cart: n => `🛒 ${n}`, hello: "halo", failed: "Maaf, koneksi bermasalah. Coba lagi ya." },
  vi: { search: "Tìm", hint: "Tìm sản phẩm, ví dụ giày chạy bộ màu đen", add: "+ Giỏ hàng", sold: "Hết hàng",
        chat: "Chat với shop", send: "Gửi", say: "Nhập tin nhắn…", all: "Tất cả", found: n => `${n} sản phẩm`,
        cart: n => `🛒 ${n}`, hello: "chào shop", failed: "Xin lỗi, kết nối gặp sự cố. Bạn thử lại nhé." },
  en: { search: "Search", hint: "Search products, e.g. black running shoes", add: "+ Cart", sold: "Sold out",
        chat: "Chat with the shop", send: "Send", say: "Type a message…", all: "All", found: n => `${n} products`,
        cart: n => `🛒 ${n}`, hello: "hello", failed: "Sorry, the connection failed. Please try again." },
};

const state = { lang: pickLang(), session: null, category: null, cartItems: 0 };
const $ = id => document.getElementById(id);

function pickLang() {
  const saved = localStorage.getItem("pasar-lang");
  if (saved && WORDS[saved]) return saved;
  for (const l of navigator.languages || [navigator.language || "id"]) {
    const code = String(l).slice(0, 2).toLowerCase();
    if (WORDS[code]) return code;
  }
  return "id";
}

function money(amount, currency) {
  const sep = state.lang === "en" ? "," : ".";
  const digits = String(Math.round(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return currency === "VND" ? `${digits} ₫` : currency === "USD" ? `$${digits}` : `Rp ${digits}`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") node.addEventListener("click", v);
    else if (k === "className") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", ...(options.headers || {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(body.error?.message || response.statusText), { body });
  return body;
}

function card(p, compact) {
  const w = WORDS[state.lang];
  const node = el("article", { className: "card", "data-product": p.id },
    el("h3", {}, p.name),
    el("span", { className: "price" }, money(p.price, p.currency)));
  if (p.brand || p.rating) node.append(el("span", { className: "meta" }, [p.brand, p.rating ? `★ ${p.rating}` : ""].filter(Boolean).join(" · ")));
  if (!p.in_stock) node.append(el("span", { className: "out" }, w.sold));
  if (!compact || p.in_stock) {
    const button = el("button", { onclick: () => addToCart(p.id) }, w.add);
    if (!p.in_stock) button.disabled = true;
    node.append(button);
  }
  return node;
}

async function loadProducts() {
  const w = WORDS[state.lang];
  const params = new URLSearchParams({ lang: state.lang, limit: "24" });
  const q = $("q").value.trim();
  if (q) params.set("q", q);
  if (state.category) params.set("category", state.category);
  try {
    const list = await api(`/v1/products?${params}`);
    $("status").textContent = w.found(list.total);
    $("grid").replaceChildren(...list.products.map(p => card(p, false)));
  } catch (e) {
    $("status").textContent = e.message;
  }
}

async function loadCategories() {
  const w = WORDS[state.lang];
  const list = await api(`/v1/categories?lang=${state.lang}`);
  const all = el("button", { onclick: () => { state.category = null; render(); loadProducts(); } }, w.all);
  const chips = [all, ...list.filter(c => c.count > 0).map(c =>
    el("button", { "data-category": c.slug, onclick: () => { state.category = c.slug; render(); loadProducts(); } }, c.name))];
  $("categories").replaceChildren(...chips);
  render();
}

// what an input is for: its accessible name and its tooltip
function showHint(input, text) {
  input.setAttribute("aria-label", text);
  input.setAttribute("title", text);
}

function render() {
  const w = WORDS[state.lang];
  document.documentElement.lang = state.lang;
  $("lang").value = state.lang;
  showHint($("q"), w.hint);
  $("search-button").textContent = w.search;
  $("chat-title").textContent = w.chat;
  $("send").textContent = w.send;
  showHint($("message"), w.say);
  $("cart-badge").textContent = w.cart(state.cartItems);
  for (const b of $("categories").querySelectorAll("button")) {
    b.classList.toggle("on", (b.dataset.category || null) === state.category);
  }
}

function say(text, who, products) {
  const bubble = el("div", { className: `msg ${who}` }, text);
  $("log").append(bubble);
  if (products && products.length) {
    $("log").append(el("div", { className: "mini" }, ...products.map(p => card(p, true))));
  }
  $("log").scrollTop = $("log").scrollHeight;
}

async function send(text) {
  const message = text.trim();
  if (!message) return;
  say(message, "me");
  $("quick").replaceChildren();
  $("typing").hidden = false;
  try {
    const r = await api("/v1/chat", {
      method: "POST",
      body: JSON.stringify({ message, session_id: state.session || undefined }),
    });
    state.session = r.session_id;
    state.cartItems = r.cart.items;
    say(r.reply.text, "bot", r.products);
    $("quick").replaceChildren(...r.reply.quick_replies.map(q => el("button", { onclick: () => send(q) }, q)));
  } catch (e) {
    say(WORDS[state.lang].failed, "bot error");
  } finally {
    $("typing").hidden = true;
    render();
  }
}

async function ensureSession() {
  if (!state.session) {
    const r = await api("/v1/chat", { method: "POST", body: JSON.stringify({ message: WORDS[state.lang].hello, lang: state.lang }) });
    state.session = r.session_id;
  }
  return state.session;
}

async function addToCart(productId) {
  try {
    const session = await ensureSession();
    const cart = await api("/v1/cart/items", { method: "POST", body: JSON.stringify({ session_id: session, product_id: productId, quantity: 1 }) });
    state.cartItems = cart.items;
  } catch (e) {
    openChat();
    say(e.message, "bot error");
  }
  render();
}

function openChat() { $("chat").hidden = false; $("message").focus(); }

$("search").addEventListener("submit", e => { e.preventDefault(); loadProducts(); });
$("say").addEventListener("submit", e => { e.preventDefault(); const t = $("message").value; $("message").value = ""; send(t); });
$("chat-toggle").addEventListener("click", () => { if ($("chat").hidden) openChat(); else $("chat").hidden = true; });
$("chat-close").addEventListener("click", () => { $("chat").hidden = true; });
$("lang").addEventListener("change", e => {
  state.lang = e.target.value;
  localStorage.setItem("pasar-lang", state.lang);
  loadCategories(); loadProducts();
});

render();
loadCategories().catch(() => {});
loadProducts();
