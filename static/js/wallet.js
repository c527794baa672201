// The payment page's browser wallet (EIP-1193: MetaMask, Rabby, Coinbase Wallet). Connect, switch
// to (or add) the order's chain, then send one ERC-20 transfer(address,uint256) of exactly what is
// due. Every value and every message comes from the button's data attributes, which the server
// renders in the shopper's language and re-renders with each status poll (so a partial payment
// changes the amount asked for). No library; amounts are BigInt from the decimal string.
(function () {
  "use strict";
  var TRANSFER = "0xa9059cbb"; // first 4 bytes of keccak256("transfer(address,uint256)")
  var HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
  var TX_HASH = /^0x[0-9a-fA-F]{64}$/;
  var STORE = "wallet-tx:" + window.location.pathname;
  var provider = window.ethereum && typeof window.ethereum.request === "function" ? window.ethereum : null;
  var busy = false;
  var said = null; // {text, tone}: the last message, shown again after the fragment is swapped

  function button() { return document.getElementById("browser-wallet-pay"); }
  function data(el, name) { return el.getAttribute("data-" + name) || ""; }

  // A wallet that does not claim window.ethereum may still announce itself (EIP-6963).
  window.addEventListener("eip6963:announceProvider", function (event) {
    var announced = event.detail && event.detail.provider;
    if (!provider && announced && typeof announced.request === "function") { provider = announced; refresh(); }
  });
  window.dispatchEvent(new Event("eip6963:requestProvider"));

  function windowOpen(el) {
    var end = Date.parse(data(el, "expires"));
    return isNaN(end) || Date.now() < end;
  }

  // "12.74" at 6 decimals -> 12740000n; null for anything but plain digits (the server already
  // rounded up to the token's decimals, so a longer fraction means something is wrong).
  function toUnits(amount, decimals) {
    var match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
    if (!match || !/^\d{1,2}$/.test(decimals)) return null;
    var places = parseInt(decimals, 10), fraction = match[2] || "";
    if (fraction.length > places) return null;
    while (fraction.length < places) fraction += "0";
    return BigInt(match[1] + fraction);
  }

  function word(hex) { while (hex.length < 64) hex = "0" + hex; return hex; }

  function transferData(to, units) {
    return TRANSFER + word(to.slice(2).toLowerCase()) + word(units.toString(16));
  }

  function lastSent() {
    try { return JSON.parse(window.sessionStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }

  // The same request as one already sent from this tab: hide the button so one tap cannot pay twice.
  function alreadySent(el) {
    var tx = lastSent();
    return !!tx && tx.to === data(el, "to") && tx.amount === data(el, "amount") && tx.chain === data(el, "chain-id");
  }

  function say(text, tone) {
    said = text ? { text: text, tone: tone || "info" } : null;
    var box = document.getElementById("wallet-message");
    if (!box) return;
    box.textContent = said ? said.text : "";
    box.className = "wallet-message wallet-" + (said ? said.tone : "info");
    box.hidden = !said;
  }

  function showReceipt(tx) {
    var box = document.getElementById("wallet-receipt");
    if (!box || !tx || !TX_HASH.test(tx.hash)) return;
    box.textContent = "";
    var note = document.createElement("p");
    note.textContent = tx.sentText;
    var line = document.createElement("p");
    line.className = "wallet-tx";
    var label = document.createElement("span");
    label.className = "pay-label";
    label.textContent = tx.txLabel;
    var hash = document.createElement("code");
    hash.className = "mono";
    hash.id = "wallet-tx-hash";
    hash.textContent = tx.hash;
    line.appendChild(label); line.appendChild(hash);
    box.appendChild(note); box.appendChild(line);
    if (/^https:\/\//.test(tx.explorer)) {
      var link = document.createElement("a");
      link.id = "wallet-tx-link";
      link.href = tx.explorer.replace(/\/$/, "") + "/tx/" + tx.hash;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      link.textContent = tx.explorerLabel;
      box.appendChild(link);
    }
    box.hidden = false;
  }

  // After every status poll: show the button only with a provider and an open window, and put
  // back what the previous fragment said.
  function refresh() {
    var el = button();
    if (el) el.hidden = !(provider && typeof BigInt === "function" && windowOpen(el) && !alreadySent(el));
    if (said) say(said.text, said.tone);
  }

  function ask(method, params) {
    return provider.request(params ? { method: method, params: params } : { method: method });
  }

  function fail(step, error) { return { step: step, error: error }; }

  function codeOf(error) {
    if (!error) return null;
    var inner = error.data && error.data.originalError;
    return error.code !== undefined ? error.code : inner ? inner.code : null;
  }

  function textOf(error) {
    if (!error) return "";
    var parts = [error.message, error.data && error.data.message];
    if (error.data && error.data.originalError) parts.push(error.data.originalError.message);
    return parts.filter(Boolean).join(" ");
  }

  async function switchChain(el, chainId) {
    try {
      await ask("wallet_switchEthereumChain", [{ chainId: chainId }]);
    } catch (error) {
      var inner = error && error.data && error.data.originalError;
      if (codeOf(error) !== 4902 && !(inner && inner.code === 4902)) throw fail("switch", error);
      if (!data(el, "rpc-url")) throw fail("unknown-chain", error);
      try {
        await ask("wallet_addEthereumChain", [{
          chainId: chainId,
          chainName: data(el, "chain-name"),
          nativeCurrency: { name: data(el, "native-symbol"), symbol: data(el, "native-symbol"), decimals: 18 },
          rpcUrls: [data(el, "rpc-url")],
          blockExplorerUrls: data(el, "explorer-url") ? [data(el, "explorer-url")] : undefined
        }]);
      } catch (addError) {
        throw fail(codeOf(addError) === 4001 ? "switch" : "unknown-chain", addError);
      }
    }
    var now = String(await ask("eth_chainId")).toLowerCase();
    if (now !== chainId) throw fail("wrong-chain", null);
  }

  async function pay(el) {
    var chainId = data(el, "chain-id").toLowerCase(), token = data(el, "token"), to = data(el, "to");
    var units = toUnits(data(el, "amount"), data(el, "decimals"));
    if (units === null || !HEX_ADDRESS.test(token) || !HEX_ADDRESS.test(to) || !/^0x[0-9a-f]+$/.test(chainId)) {
      throw fail("failed", null);
    }
    say(data(el, "msg-connect"));
    var accounts;
    try { accounts = await ask("eth_requestAccounts"); } catch (error) { throw fail("connect", error); }
    if (!accounts || !accounts[0]) throw fail("connect", { code: 4001 });
    var current = String(await ask("eth_chainId")).toLowerCase();
    if (current !== chainId) {
      say(data(el, "msg-switch"));
      await switchChain(el, chainId);
    }
    if (!windowOpen(el)) throw fail("closed", null);
    say(data(el, "msg-confirm"));
    var hash;
    try {
      hash = await ask("eth_sendTransaction", [{
        from: accounts[0], to: token, value: "0x0", data: transferData(to, units), chainId: chainId
      }]);
    } catch (error) { throw fail("send", error); }
    var tx = {
      hash: String(hash), to: to, amount: data(el, "amount"), chain: data(el, "chain-id"),
      explorer: data(el, "explorer-url"), sentText: data(el, "msg-sent"),
      txLabel: data(el, "label-tx"), explorerLabel: data(el, "label-explorer")
    };
    try { window.sessionStorage.setItem(STORE, JSON.stringify(tx)); } catch (e) { /* private mode */ }
    say(tx.sentText, "ok");
    showReceipt(tx);
    // Ask for the order's state now; the polling keeps watching it afterwards.
    document.body.dispatchEvent(new CustomEvent("order-changed"));
  }

  // Each refusal in the shopper's words; the wallet's own text is never shown raw.
  function explain(el, failure) {
    var step = failure && failure.step, error = failure && failure.error, code = codeOf(error);
    var text = textOf(error), key = "failed";
    if (code === -32002) key = "busy";
    else if (code === 4001 || code === "ACTION_REJECTED") {
      key = step === "connect" ? "connect-refused" : step === "send" ? "rejected" : "switch-refused";
    } else if (step === "switch") key = "wrong-chain";
    else if (step === "wrong-chain" || step === "unknown-chain" || step === "closed") key = step;
    else if (step === "send" && /exceeds balance|insufficient (token )?balance/i.test(text)) key = "no-token";
    else if (step === "send" && /insufficient funds|gas/i.test(text)) key = "no-gas";
    say(data(el, "msg-" + key), "bad");
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("#browser-wallet-pay");
    if (!el || busy || !provider) return;
    busy = true;
    el.disabled = true;
    pay(el).catch(function (failure) { explain(el, failure); }).then(function () {
      busy = false;
      var current = button();
      if (current) current.disabled = false;
      refresh();
    });
  });

  // After settling: htmx puts the new fragment's own attributes (hidden, class) back while settling.
  document.addEventListener("htmx:afterSettle", function () {
    refresh();
    var current = button();
    if (current && busy) current.disabled = true;
  });
  function start() { refresh(); showReceipt(lastSent()); }
  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();
