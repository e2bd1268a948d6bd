// Limber's session player: a second view of the session the chat shows. The server's row is
// the truth; this page draws it, counts its timed phase down, rings, speaks, and sends
// presses through the same path as the chat's buttons (bot/player/api.py).
// Time comes from performance.now() only (tests move it with Playwright's page.clock).
(function () {
  'use strict';
  var tg = window.Telegram && window.Telegram.WebApp;
  var $ = function (id) { return document.getElementById(id); };
  var RING = 339.29; // 2 * pi * 54, the ring's circumference in its viewBox
  var VOICES = { en: 'en-GB', es: 'es-ES', pt_BR: 'pt-BR', de: 'de-DE', fr: 'fr-FR', ru: 'ru-RU' };
  var initData = (tg && tg.initData) || fromHash();
  var words = {};
  var language = '';
  var body = null; // the server's last answer
  var receivedAt = 0; // performance.now() when it came
  var stepKey = '';
  var muted = localStorage.getItem('limber.muted') === '1';
  var tab = 'session';
  var pictures = {};
  var wake = null;

  function fromHash() {
    // Outside Telegram's script (`limber try` in a browser): Telegram's own launch parameter.
    var params = new URLSearchParams(location.hash.slice(1));
    return params.get('tgWebAppData') || '';
  }

  function ourLanguage(code) {
    code = (code || '').toLowerCase().replace('_', '-');
    if (code.indexOf('pt') === 0) return 'pt_BR';
    var base = code.split('-')[0];
    return VOICES[base] ? base : 'en';
  }

  function sleep(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }

  function setStatus(text) { $('status').textContent = text || ''; }

  // The server -------------------------------------------------------------------------------

  function Unauthorized() {}

  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({ Authorization: 'tma ' + initData }, options.headers || {});
    return fetch(path, options).then(function (response) {
      if (response.status === 401) { gate(); throw new Unauthorized(); }
      return response;
    });
  }

  function post(path, data) {
    return api(path, {
      method: 'POST', body: JSON.stringify(data), headers: { 'Content-Type': 'application/json' }
    });
  }

  function loadWords(lang) {
    if (lang === language && words.hold) return Promise.resolve();
    return fetch('words?lang=' + encodeURIComponent(lang)).then(function (r) { return r.json(); })
      .then(function (found) { words = found; language = lang; document.documentElement.lang = lang.replace('_', '-'); label(); });
  }

  function label() {
    $('tab-session').textContent = words.tab_session;
    $('tab-progress').textContent = words.tab_progress;
    $('tab-settings').textContent = words.tab_settings;
    $('unit').textContent = words.seconds;
    $('mute').textContent = muted ? words.sound_off : words.sound_on;
  }

  function gate() {
    $('tabs').hidden = true;
    ['session', 'progress', 'settings'].forEach(function (id) { $(id).hidden = true; });
    $('mute').hidden = true;
    $('gate').hidden = false;
    $('gate').textContent = words.open_in_telegram || 'Open this from Telegram.';
    release();
  }

  async function follow() {
    // One long-poll at a time: the server answers when the session changes (or after 25 s).
    // The first asks for the state as it is.
    for (var wait = '0'; ; wait = '1') {
      var s = body && body.session;
      var known = s ? '&session=' + s.id + '&version=' + s.version : '';
      try {
        var response = await api('api/state?wait=' + wait + known);
        if (response.status === 429) { await sleep(2000); continue; }
        if (!response.ok) throw new Error(String(response.status));
        await show(await response.json());
        setStatus('');
      } catch (error) {
        if (error instanceof Unauthorized) return;
        setStatus(words.reconnecting);
        await sleep(2000);
      }
    }
  }

  async function press(action) {
    var s = body && body.session;
    if (!s) return;
    haptic('select');
    unlockAudio();
    try {
      var response = await post('api/press', { session: s.id, version: s.version, action: action });
      if (response.status === 429) { setStatus(words.too_many); return; }
      var answer = await response.json();
      if (answer.session !== undefined) await show(answer);
      setStatus(answer.note || '');
    } catch (error) {
      if (!(error instanceof Unauthorized)) setStatus(words.reconnecting);
    }
  }

  // The session ------------------------------------------------------------------------------

  async function show(answer) {
    // A long-poll's answer read before a press's may arrive after it: an older version of
    // the session shown would take the page back a step, so it is dropped.
    var shown = body && body.session;
    var s = answer.session;
    if (shown && s && s.id === shown.id && s.version < shown.version) return;
    if (answer.language && answer.language !== language) await loadWords(answer.language);
    body = answer;
    receivedAt = performance.now();
    var key = s ? [s.id, s.status === 'active' || s.status === 'paused' ? 'live' : s.status,
      s.stretch ? s.stretch.index : -1, s.side, s.phase].join(':') : '';
    var entered = key !== stepKey;
    var previous = stepKey;
    stepKey = key;
    draw(s);
    if (s) sounds(s, entered, previous);
    hold(s && (s.status === 'active' || s.status === 'paused'));
  }

  function draw(s) {
    document.body.className = s ? s.status + ' ' + s.phase : '';
    $('routine').textContent = s ? s.routine : '';
    $('title').textContent = s && s.stretch && s.text === '' ? s.stretch.title : '';
    $('message').textContent = s ? s.text : words.no_session;
    var live = s && (s.status === 'active' || s.status === 'paused');
    $('stage').hidden = !live;
    var steps = $('steps');
    steps.textContent = '';
    if (live && s.stretch) {
      s.stretch.steps.forEach(function (step) {
        var item = document.createElement('li');
        item.textContent = step;
        steps.appendChild(item);
      });
      $('tip').textContent = s.stretch.tip ? '💡 ' + s.stretch.tip : '';
      picture(s);
    } else {
      $('tip').textContent = '';
      $('picture').hidden = true;
    }
    buttons(s ? s.actions : []);
    tick();
  }

  function buttons(actions) {
    var box = $('actions');
    box.textContent = '';
    actions.forEach(function (action) {
      var button = document.createElement('button');
      button.type = 'button';
      button.dataset.action = action;
      button.textContent = words['button_' + action] || action;
      if (action === 'ready' || action === 'resume') button.className = 'main';
      if (action === 'hurt') button.className = 'hurt';
      button.addEventListener('click', function () { press(action); });
      box.appendChild(button);
    });
  }

  function picture(s) {
    var img = $('picture');
    if (!s.stretch.picture) { img.hidden = true; return; }
    var key = s.routine_id + '/' + s.stretch.index;
    if (pictures[key]) { img.src = pictures[key]; img.hidden = false; return; }
    pictures[key] = '';
    api('api/picture/' + key).then(function (r) { return r.ok ? r.blob() : null; })
      .then(function (blob) {
        if (!blob) return;
        pictures[key] = URL.createObjectURL(blob);
        var now = body && body.session;
        if (now && now.stretch && now.routine_id + '/' + now.stretch.index === key) {
          img.src = pictures[key];
          img.hidden = false;
        }
      }).catch(function () { delete pictures[key]; });
  }

  function left() {
    // Seconds of the session's clock left in the timed phase, counted on from the answer.
    var s = body && body.session;
    if (!s || !s.timed) return null;
    if (s.status !== 'active') return s.left;
    var passed = (performance.now() - receivedAt) / 1000 * (body.rate || 1);
    return Math.max(0, s.left - passed);
  }

  function tick() {
    var s = body && body.session;
    var rest = left();
    $('dial').hidden = rest === null;
    if (rest === null || !s) return;
    var full = s.full || rest || 1;
    $('number').textContent = String(Math.ceil(rest - 1e-6));
    $('arc').style.strokeDashoffset = String(RING * (1 - Math.min(1, rest / full)));
    var phase = s.status === 'paused' ? words.paused
      : s.phase === 'hold' ? words.hold : s.phase === 'switch' ? words['switch'] : words.get_ready;
    $('phase').textContent = phase;
  }

  // Sound, voice, touch ----------------------------------------------------------------------

  var audio = null;
  var pending = []; // {kind, at, nodes}: bells scheduled for the current phase's end

  function context() {
    if (!audio) {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return null;
      audio = new Context();
    }
    return audio;
  }

  function unlockAudio() {
    var ctx = context();
    if (ctx && ctx.state === 'suspended') ctx.resume();
  }

  // A bell: a few partials struck together, each fading on its own. Start: bright and rising
  // (A5 with its fifth); end: lower, a falling pair (E5 then C5); switch: one soft sine (A4).
  var BELLS = {
    start: [[880, 0.30, 1.6, 0], [1320, 0.12, 1.2, 0], [1760, 0.06, 0.8, 0]],
    end: [[659, 0.30, 1.8, 0], [523, 0.30, 2.2, 0.35], [1046, 0.06, 1.2, 0.35]],
    'switch': [[440, 0.12, 0.7, 0]]
  };

  function ring(kind, at) {
    var ctx = context();
    if (!ctx || muted) return null;
    var nodes = BELLS[kind].map(function (partial) {
      var start = at + partial[3];
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(partial[0], start);
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.linearRampToValueAtTime(partial[1], start + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + partial[2]);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + partial[2] + 0.05);
      return osc;
    });
    return { kind: kind, at: at, nodes: nodes };
  }

  function sounds(s, entered, previous) {
    var ctx = context();
    var now = ctx ? ctx.currentTime : 0;
    // A bell scheduled for this moment has rung (or rings within a quarter second): kept.
    var rang = pending.filter(function (bell) { return bell.at <= now + 0.25; });
    pending.filter(function (bell) { return bell.at > now + 0.25; }).forEach(function (bell) {
      bell.nodes.forEach(function (osc) { try { osc.stop(0); } catch (e) { /* not started */ } });
    });
    pending = [];
    var heard = rang.map(function (bell) { return bell.kind; });
    var active = s.status === 'active';
    if (entered && active) {
      var leftHold = previous.split(':')[4] === 'hold' && s.phase !== 'hold';
      if (s.phase === 'hold' && heard.indexOf('start') < 0) keep(ring('start', now));
      if (leftHold && heard.indexOf('end') < 0 && s.stretch) keep(ring('end', now));
      if (s.phase === 'switch') keep(ring('switch', now + 1.0));
      speak(s.cue);
      haptic(s.phase === 'hold' ? 'heavy' : 'light');
    } else if (entered && s.text) {
      speak(s.cue);
      haptic(s.status === 'done' ? 'success' : 'warning');
    }
    var rest = left();
    if (active && s.timed && rest !== null) {
      // The phase's end, scheduled now at its moment: the hold's end bell, or the start bell
      // of the hold a get-ready or a switch leads to (unless that one is already ringing).
      var at = now + rest / (body.rate || 1);
      var ringing = rang.some(function (bell) { return Math.abs(bell.at - at) < 0.5; });
      if (!ringing) keep(ring(s.phase === 'hold' ? 'end' : 'start', at));
    }
  }

  function keep(bell) { if (bell) pending.push(bell); }

  function speak(text) {
    var voice = window.speechSynthesis;
    if (!text || muted || !voice) return;
    var tag = VOICES[language] || 'en-GB';
    var base = tag.split('-')[0];
    var found = voice.getVoices().filter(function (v) {
      return v.lang.replace('_', '-').toLowerCase().indexOf(base) === 0;
    });
    if (!found.length) return; // no voice for the language here: the bells alone
    var exact = found.filter(function (v) { return v.lang.replace('_', '-') === tag; });
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = tag;
    utterance.voice = (exact[0] || found[0]);
    voice.cancel();
    voice.speak(utterance);
  }

  function haptic(kind) {
    var touch = tg && tg.HapticFeedback;
    if (!touch) return;
    try {
      if (kind === 'select') touch.selectionChanged();
      else if (kind === 'success' || kind === 'warning') touch.notificationOccurred(kind);
      else touch.impactOccurred(kind);
    } catch (e) { /* an old Telegram app */ }
  }

  // The screen stays on while a session runs (Screen Wake Lock), and again when the page
  // comes back to the front (the lock is dropped whenever the page is hidden).
  function hold(live) {
    if (!live) { release(); return; }
    if (wake || !navigator.wakeLock || document.visibilityState !== 'visible') return;
    wake = 'asking';
    navigator.wakeLock.request('screen').then(function (lock) {
      wake = lock;
      lock.addEventListener('release', function () { if (wake === lock) wake = null; });
    }).catch(function () { wake = null; });
  }

  function release() {
    if (wake && wake !== 'asking') wake.release();
    wake = null;
  }

  // Progress and settings --------------------------------------------------------------------

  function showTab(name) {
    tab = name;
    ['session', 'progress', 'settings'].forEach(function (id) {
      $(id).hidden = id !== name;
      $('tab-' + id).className = id === name ? 'on' : '';
    });
    if (tg && tg.BackButton) { if (name === 'session') tg.BackButton.hide(); else tg.BackButton.show(); }
    if (name === 'progress') progress();
    if (name === 'settings') settings();
  }

  async function progress() {
    $('figures').textContent = words.loading;
    var response = await api('api/progress');
    var found = await response.json();
    $('figures').textContent = found.text;
    var chart = $('chart');
    chart.hidden = !found.picture;
    if (found.picture) {
      var png = await api('api/progress.png');
      if (png.ok) chart.src = URL.createObjectURL(await png.blob());
    }
  }

  async function settings() {
    var response = await api('api/settings');
    var found = await response.json();
    if (!response.ok) { $('summary').textContent = found.error; return; }
    form(found);
  }

  function field(form, name, text, control, withSave) {
    var label = document.createElement('label');
    label.textContent = text;
    label.htmlFor = 'f-' + name;
    control.id = 'f-' + name;
    control.name = name;
    var row = document.createElement('div');
    row.className = 'row';
    row.appendChild(control);
    if (withSave) {
      var save = document.createElement('button');
      save.type = 'button';
      save.textContent = words.save;
      save.addEventListener('click', function () { change(name, control.value); });
      row.appendChild(save);
    } else {
      control.addEventListener('change', function () {
        var value = control.type === 'checkbox' ? control.checked : control.value;
        change(name, name === 'hold' ? Number(value) : value);
      });
    }
    form.appendChild(label);
    form.appendChild(row);
  }

  function choice(options, current) {
    var select = document.createElement('select');
    options.forEach(function (option) {
      var item = document.createElement('option');
      item.value = String(option.value);
      item.textContent = option.label;
      item.selected = String(option.value) === String(current);
      select.appendChild(item);
    });
    return select;
  }

  function text(value, hint) {
    var input = document.createElement('input');
    input.type = 'text';
    input.value = value;
    input.placeholder = hint || '';
    input.maxLength = 64;
    return input;
  }

  function form(found) {
    var prefs = $('prefs');
    prefs.textContent = '';
    var free = document.createElement('input');
    free.type = 'checkbox';
    free.checked = found.hands_free;
    field(prefs, 'hold', words.hold_length, choice(found.holds, found.hold));
    field(prefs, 'pace', words.pace, choice(found.paces, found.pace));
    field(prefs, 'hands_free', words.hands_free, free);
    field(prefs, 'language', words.language, choice(found.languages, found.language));
    field(prefs, 'morning', words.morning, text(found.morning, words.nudge_off), true);
    field(prefs, 'bedtime', words.bedtime, text(found.bedtime, words.nudge_off), true);
    field(prefs, 'timezone', words.timezone, text(found.timezone), true);
    $('summary').textContent = found.summary;
  }

  async function change(name, value) {
    var response = await post('api/settings', { field: name, value: value });
    var found = await response.json();
    if (!response.ok) { setStatus(found.error); return; }
    if (found.words) { words = found.words; language = found.language; label(); }
    form(found);
    setStatus(words.saved);
  }

  // Start ------------------------------------------------------------------------------------

  function theme() {
    if (!tg || !tg.themeParams) return;
    document.documentElement.classList.add('tg');
    var style = document.documentElement.style;
    Object.keys(tg.themeParams).forEach(function (key) {
      style.setProperty('--tg-theme-' + key.replace(/_/g, '-'), tg.themeParams[key]);
    });
  }

  function start() {
    theme();
    if (tg) {
      tg.ready();
      tg.expand();
      if (tg.onEvent) tg.onEvent('themeChanged', theme);
      if (tg.BackButton) tg.BackButton.onClick(function () { showTab('session'); });
    }
    var user = tg && tg.initDataUnsafe && tg.initDataUnsafe.user;
    var lang = ourLanguage((user && user.language_code) || navigator.language);
    document.addEventListener('pointerdown', unlockAudio, { once: true });
    document.addEventListener('visibilitychange', function () {
      var s = body && body.session;
      if (document.visibilityState === 'visible') hold(s && (s.status === 'active' || s.status === 'paused'));
    });
    $('mute').addEventListener('click', function () {
      muted = !muted;
      localStorage.setItem('limber.muted', muted ? '1' : '0');
      label();
      if (muted) { pending.forEach(function (bell) { bell.nodes.forEach(function (o) { try { o.stop(0); } catch (e) { /* */ } }); }); pending = []; if (window.speechSynthesis) speechSynthesis.cancel(); }
    });
    Array.prototype.forEach.call(document.querySelectorAll('nav button'), function (button) {
      button.addEventListener('click', function () { showTab(button.dataset.tab); });
    });
    loadWords(lang).then(function () {
      if (!initData) { gate(); return; }
      $('tabs').hidden = false;
      $('mute').hidden = false;
      setInterval(tick, 200);
      follow();
    });
  }

  start();
})();
