// Web chat for the Bot API emulator: plays one Telegram user through the /_emu control API.
// Message text is never inserted as HTML: it is turned into DOM nodes from text + entities
// (entity offsets are UTF-16 units, which is exactly how JavaScript strings index).
"use strict";

// Offered when the demo has not told the emulator its places (POST /_emu/places).
const DEFAULT_PLACES = [{ name: "邵阳市区（默认位置）", latitude: 27.2418, longitude: 111.4674 }];
const $ = (id) => document.getElementById(id);

const state = {
  botId: null,
  persona: null, // {id, name, phone}
  lastSeq: 0,
  generation: 0, // bumped when the persona changes, so an old long poll stops
  nodes: new Map(), // message_id -> bubble element
  places: DEFAULT_PLACES,
};

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const resp = await fetch("/_emu" + path, opts);
  const data = await resp.json();
  if (!data.ok) throw new Error(data.description || "请求失败");
  return data.result;
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 2500);
}

// -- entities -> DOM ------------------------------------------------------------------------

function safeUrl(url) {
  return /^(https?|tg):\/\//i.test(url) ? url : null;
}

function entityNode(entity, text) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote":
    case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const s = el("span", "spoiler");
      s.addEventListener("click", () => s.classList.add("shown"));
      return s;
    }
    case "text_link":
    case "url": {
      const href = safeUrl(entity.type === "url" ? text : entity.url || "");
      if (!href) return el("span");
      const a = el("a");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    case "bot_command": {
      const c = el("span", "cmd");
      c.addEventListener("click", () => sendText(text));
      return c;
    }
    case "mention": return el("span", "mention");
    default: return el("span");
  }
}

function renderRange(text, entities, start, end) {
  const frag = document.createDocumentFragment();
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const e = entities[i];
    const eStart = Math.max(e.offset, pos);
    const eEnd = Math.min(e.offset + e.length, end);
    if (eStart >= eEnd) { i++; continue; }
    if (eStart > pos) frag.appendChild(document.createTextNode(text.slice(pos, eStart)));
    // Entities starting inside this one become its children.
    const inner = [];
    let j = i + 1;
    while (j < entities.length && entities[j].offset < eEnd) inner.push(entities[j++]);
    const node = entityNode(e, text.slice(eStart, eEnd));
    node.appendChild(renderRange(text, inner, eStart, eEnd));
    frag.appendChild(node);
    pos = eEnd;
    i = j;
  }
  if (pos < end) frag.appendChild(document.createTextNode(text.slice(pos, end)));
  return frag;
}

function formatted(text, entities) {
  const sorted = (entities || []).slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  const span = el("span", "body");
  span.appendChild(renderRange(text, sorted, 0, text.length));
  return span;
}

// -- messages -------------------------------------------------------------------------------

function fileUrl(fileId) {
  return `/_emu/bots/${state.botId}/files/${encodeURIComponent(fileId)}`;
}

function messageContent(m) {
  const box = el("div");
  if (m.photo && m.photo.length) {
    const link = el("a", "photo");  // a tap opens the photo at full size
    link.href = fileUrl(m.photo[m.photo.length - 1].file_id);
    link.target = "_blank";
    link.rel = "noopener";
    const img = el("img");
    img.src = link.href;
    img.alt = "照片";
    link.appendChild(img);
    box.appendChild(link);
  }
  if (m.text !== undefined) box.appendChild(formatted(m.text, m.entities));
  if (m.caption) box.appendChild(formatted(m.caption, m.caption_entities));
  if (m.location) {
    box.appendChild(el("div", null, `📍 位置 ${m.location.latitude}, ${m.location.longitude}`));
  }
  if (m.contact) {
    const c = m.contact;
    box.appendChild(el("div", null, `👤 联系人 ${c.first_name} ${c.last_name || ""} ${c.phone_number}`));
  }
  if (m.sticker) box.appendChild(el("div", "sticker", m.sticker.emoji || "🖼"));
  if (m.voice) box.appendChild(el("div", null, `🎤 语音 ${m.voice.duration} 秒`));
  if (m.document) {
    const a = el("a", null, `📄 ${m.document.file_name || "文件"}`);
    a.href = fileUrl(m.document.file_id);
    a.target = "_blank";
    box.appendChild(a);
  }
  return box;
}

function inlineKeyboard(m) {
  const rows = (m.reply_markup && m.reply_markup.inline_keyboard) || [];
  if (!rows.length || m.deleted) return null;
  const kb = el("div", "inline-kb");
  for (const row of rows) {
    const line = el("div", "row");
    for (const b of row) {
      if (b.url && safeUrl(b.url)) {
        const a = el("a", null, b.text);
        a.href = b.url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        line.appendChild(a);
      } else {
        const btn = el("button", null, b.text);
        btn.type = "button";
        if (b.callback_data !== undefined) {
          btn.addEventListener("click", () => press(m.message_id, b.callback_data));
        } else {
          btn.disabled = true;
        }
        line.appendChild(btn);
      }
    }
    kb.appendChild(line);
  }
  return kb;
}

function renderMessage(m, applyKeyboard = true) {
  const bubble = el("div", "msg " + (m.from_bot ? "bot" : "user") + (m.deleted ? " deleted" : ""));
  bubble.appendChild(messageContent(m));
  const kb = inlineKeyboard(m);
  if (kb) bubble.appendChild(kb);
  const time = new Date(m.date * 1000).toLocaleTimeString("zh-CN", { hour12: false });
  const flags = (m.edit_count ? " · 已编辑" : "") + (m.deleted ? " · 已删除" : "");
  bubble.appendChild(el("div", "meta", time + flags));
  const transcript = $("transcript");
  const old = state.nodes.get(m.message_id);
  if (old) {
    old.replaceWith(bubble);
  } else {
    transcript.appendChild(bubble);
  }
  state.nodes.set(m.message_id, bubble);
  showStart(false);
  if (applyKeyboard && m.from_bot && m.sent_reply_markup && !m.deleted) showReplyKeyboard(m.sent_reply_markup);
  // Last: a keyboard that just appeared made the transcript shorter.
  if (!old) transcript.scrollTop = transcript.scrollHeight;
}

// -- reply keyboard -------------------------------------------------------------------------

function showReplyKeyboard(markup) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  if (!markup.keyboard) {
    if (markup.remove_keyboard) box.hidden = true;
    if (markup.force_reply) $("text").focus();
    return;
  }
  for (const row of markup.keyboard) {
    const line = el("div", "row");
    for (const b of row) {
      const btn = el("button", null, b.text);
      btn.type = "button";
      btn.addEventListener("click", () => {
        if (markup.one_time_keyboard) box.hidden = true;
        replyButton(b);
      });
      line.appendChild(btn);
    }
    box.appendChild(line);
  }
  box.hidden = false;
}

function replyButton(b) {
  const p = state.persona;
  if (b.request_contact) {
    send({ contact: { phone_number: p.phone || "", first_name: p.name, user_id: p.id } });
  } else if (b.request_location) {
    openPlaces();
  } else {
    sendText(b.text);
  }
}

// -- user actions ---------------------------------------------------------------------------

function userObject() {
  return { id: state.persona.id, first_name: state.persona.name, language_code: "zh-hans" };
}

async function send(payload) {
  if (!state.persona || !state.botId) return toast("请先选择身份并等待机器人连接");
  try {
    const result = await api("POST", `/bots/${state.botId}/send`, { user: userObject(), ...payload });
    for (const m of [].concat(result)) renderMessage({ ...m, from_bot: false, deleted: false, edit_count: 0 });
  } catch (err) {
    toast("发送失败：" + err.message);
  }
}

function sendText(text) {
  if (text.trim().length) send({ text });  // as Telegram apps: nothing blank is sent
}

// -- start button and places ---------------------------------------------------------------

function showStart(empty) {
  // A new chat offers 开始 (/start) in place of the keyboard, as Telegram does.
  $("start-bar").hidden = !empty;
  $("composer").hidden = empty;
}

function openPlaces() {
  const list = $("place-list");
  list.replaceChildren();
  const groups = new Map();
  for (const p of state.places) {
    const key = p.district || "";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(p);
  }
  for (const [district, places] of groups) {
    if (district) list.appendChild(el("h3", null, district));
    const row = el("div", "choices");
    for (const p of places) {
      const btn = el("button", null, p.name);
      btn.type = "button";
      btn.addEventListener("click", () => {
        $("places").hidden = true;
        send({ location: { latitude: p.latitude, longitude: p.longitude } });
      });
      row.appendChild(btn);
    }
    list.appendChild(row);
  }
  $("places").hidden = false;
}

async function loadPlaces() {
  const places = await api("GET", "/places");
  if (places.length) state.places = places;
}

async function press(messageId, data) {
  try {
    await api("POST", `/bots/${state.botId}/press`, {
      user: userObject(), chat_id: state.persona.id, message_id: messageId, data,
    });
  } catch (err) {
    toast("按钮无效：" + err.message);
  }
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function sendPhotos(files) {
  const caption = $("text").value.trim();
  const data = await Promise.all(Array.from(files).slice(0, 10).map(readBase64));
  if (data.length === 1) {
    await send({ photo: { data_b64: data[0], ...(caption ? { caption } : {}) } });
  } else if (data.length > 1) {
    await send({ album: { items: data.map((d) => ({ data_b64: d })), ...(caption ? { caption } : {}) } });
  }
  if (caption) $("text").value = "";
}

// -- updates from the bot -------------------------------------------------------------------

function handleEvent(ev) {
  if (ev.kind === "message" || ev.kind === "edit" || ev.kind === "delete") {
    renderMessage(ev.message, ev.kind === "message");
  } else if (ev.kind === "callback_answer") {
    if (ev.text && ev.show_alert) alert(ev.text);
    else if (ev.text) toast(ev.text);
  } else if (ev.kind === "chat_action") {
    const typing = $("typing");
    typing.hidden = false;
    clearTimeout(handleEvent.typingTimer);
    handleEvent.typingTimer = setTimeout(() => (typing.hidden = true), 3000);
  }
  if (ev.kind === "message") $("typing").hidden = true;
}

async function pollEvents(generation) {
  const base = `/bots/${state.botId}/chats/${state.persona.id}/events`;
  while (generation === state.generation) {
    try {
      const events = await api("GET", `${base}?after_seq=${state.lastSeq}&timeout=25`);
      if (generation !== state.generation) return;
      for (const ev of events) {
        state.lastSeq = Math.max(state.lastSeq, ev.seq);
        handleEvent(ev);
      }
    } catch (err) {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function openChat() {
  const generation = ++state.generation;
  state.nodes.clear();
  $("transcript").replaceChildren();
  $("reply-keyboard").hidden = true;
  const p = state.persona;
  $("chat-title").textContent = `${p.name} · 代表直通12345`;
  $("chat-title").title = `${p.name}（ID ${p.id}）与 代表直通12345 的对话`;
  const chatPath = `/bots/${state.botId}/chats/${p.id}`;
  const seen = await api("GET", `${chatPath}/events?after_seq=0&timeout=0`);
  state.lastSeq = seen.reduce((max, ev) => Math.max(max, ev.seq), 0);
  const history = await api("GET", `${chatPath}/messages`);
  for (const m of history) renderMessage(m);
  showStart(history.length === 0);
  $("text").disabled = false;
  $("btn-send").disabled = false;
  pollEvents(generation);
}

function choosePersona(persona, button) {
  state.persona = persona;
  document.body.classList.remove("no-persona", "side-open");
  document.body.classList.add("chatting");
  document.querySelectorAll(".personas button").forEach((b) => b.classList.remove("active"));
  if (button) button.classList.add("active");
  if (state.botId) openChat();
}

async function loadPersonas() {
  const box = $("personas");
  const personas = await api("GET", "/personas");
  box.replaceChildren();
  if (!personas.length) box.appendChild(el("p", "hint", "暂无预设身份，可在下方自定义。"));
  for (const p of personas) {
    const btn = el("button", null, p.name);
    btn.type = "button";
    btn.appendChild(el("small", null, `ID ${p.id} · ${p.phone}${p.note ? " · " + p.note : ""}`));
    btn.addEventListener("click", () => choosePersona(p, btn));
    box.appendChild(btn);
  }
}

async function waitForBot() {
  for (;;) {
    try {
      const bots = await api("GET", "/bots");
      if (bots.length) {
        state.botId = bots[0].id;
        $("bot-status").textContent = `已连接：@${bots[0].username}（ID ${bots[0].id}）`;
        if (state.persona) openChat();
        return;
      }
    } catch (err) {
      /* emulator restarting: keep waiting */
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function init() {
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("text").value;
    $("text").value = "";
    sendText(text);
  });
  $("text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("btn-photo").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", async (e) => {
    await sendPhotos(e.target.files);
    e.target.value = "";
  });
  $("btn-location").addEventListener("click", openPlaces);
  $("btn-close-places").addEventListener("click", () => ($("places").hidden = true));
  $("btn-start").addEventListener("click", () => sendText("/start"));
  $("btn-open-side").addEventListener("click", () => document.body.classList.add("side-open"));
  $("btn-close-side").addEventListener("click", () => {
    if (state.persona) document.body.classList.remove("side-open");
  });
  $("btn-sticker").addEventListener("click", () => send({ sticker: { emoji: "👍" } }));
  $("custom").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const id = parseInt(f.get("id"), 10);
    if (!(id > 0)) return toast("用户 ID 必须是正整数");
    choosePersona({ id, name: String(f.get("name")), phone: String(f.get("phone") || "") }, null);
  });
  loadPersonas().catch((err) => toast("加载身份失败：" + err.message));
  loadPlaces().catch(() => { /* the default place stays */ });
  waitForBot();
}

init();
