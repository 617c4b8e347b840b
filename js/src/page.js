// The offline page (RunWidget.to_html): the same view, mounted on a model that holds a saved run,
// with no kernel. The page carries the widget's state as JSON (`#lgwidget-state`, the snapshot's
// blobs in base64) and this module inlined; nothing is fetched.
import widget from "./widget.js";

/** A read-only model with anywidget's interface: the run is over, nothing changes or is sent. */
export function savedModel(state) {
  const values = { ...state, snapshot: (state.snapshot ?? []).map(fromBase64) };
  return { get: (name) => values[name], set() {}, on() {}, off() {}, send() {}, save_changes() {} };
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new DataView(bytes.buffer);
}

const source = globalThis.document?.getElementById("lgwidget-state");
if (source) {
  const model = savedModel(JSON.parse(source.textContent));
  widget.initialize({ model });
  widget.render({ model, el: document.getElementById("lgwidget-view") });
}
