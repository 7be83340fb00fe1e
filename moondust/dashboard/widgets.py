"""Browser widgets Solara does not have: a keyboard-usable file input, a share link and a light
Plotly graph.

All are ipyvuetify templates defined in Python (no extra files to package). The file input reads
the chosen file in the browser and sends its name, size and (when not too large) its bytes, base64
encoded; the server checks the size again before reading it. The graph loads plotly.js once per
page from the server and draws the figure JSON it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipyvuetify as v
import traitlets

_UPLOAD_TEMPLATE = """
<template>
  <div class="md-upload">
    <label :for="input_id" class="md-upload-label">{{ label }}</label>
    <input :id="input_id" type="file" accept=".toml,text/plain,application/toml"
           class="md-upload-input" @change="picked" />
  </div>
</template>
<script>
module.exports = {
  computed: {
    input_id() { return "md-upload-" + this.cid; },
  },
  data() { return { cid: Math.random().toString(36).slice(2) }; },
  methods: {
    async picked(event) {
      const file = event.target.files && event.target.files[0];
      if (!file) { return; }
      let content = null;
      if (file.size <= this.max_bytes) {
        const bytes = new Uint8Array(await file.arrayBuffer());
        let binary = "";
        for (let i = 0; i < bytes.length; i += 8192) {
          binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
        }
        content = btoa(binary);
      }
      this.upload({ name: file.name, size: file.size, content: content });
      event.target.value = "";
    },
  },
};
</script>
"""


class UploadWidget(v.VuetifyTemplate):
    """A labelled ``<input type=file>`` whose file is passed to :attr:`callback`."""

    template = traitlets.Unicode(_UPLOAD_TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("Upload a scenario (TOML)").tag(sync=True)
    max_bytes = traitlets.Int(65536).tag(sync=True)
    callback = traitlets.Any(None)

    def vue_upload(self, data: dict[str, Any]) -> None:
        """Called from the browser with ``{name, size, content}``."""
        if callable(self.callback):
            self.callback(data)


_SHARE_TEMPLATE = """
<template>
  <div class="md-share">
    <label :for="input_id" class="md-upload-label">Share link (this view, every setting)</label>
    <div style="display: flex; gap: 6px; align-items: center;">
      <input :id="input_id" class="md-share-input" type="text" readonly :value="url"
             @focus="$event.target.select()" />
      <v-btn small outlined @click="copy" aria-label="Copy the share link">
        {{ copied ? "Copied" : "Copy" }}
      </v-btn>
    </div>
  </div>
</template>
<script>
module.exports = {
  data() { return { copied: false, cid: Math.random().toString(36).slice(2) }; },
  computed: {
    input_id() { return "md-share-" + this.cid; },
    url() { return window.location.origin + this.path; },
  },
  watch: { path() { this.copied = false; } },
  methods: {
    async copy() {
      try {
        await navigator.clipboard.writeText(this.url);
      } catch (e) {
        const input = document.getElementById(this.input_id);
        input.select();
        document.execCommand("copy");
      }
      this.copied = true;
    },
  },
};
</script>
"""


class ShareWidget(v.VuetifyTemplate):
    """The page's address (path and query) as a full link, with a copy button."""

    template = traitlets.Unicode(_SHARE_TEMPLATE).tag(sync=True)
    path = traitlets.Unicode("/").tag(sync=True)


def upload_element(label: str, max_bytes: int, on_upload: Callable[[dict[str, Any]], None]) -> Any:
    """A Reacton element for :class:`UploadWidget`."""
    return UploadWidget.element(label=label, max_bytes=max_bytes, callback=on_upload)


def share_element(path: str) -> Any:
    """A Reacton element for :class:`ShareWidget`."""
    return ShareWidget.element(path=path)


PLOTLY_JS_ROUTE = "/_moondust/plotly.min.js"
"""Where :mod:`moondust.dashboard.server` serves the plotly.js bundled with plotly.py."""

_LOAD_PLOTLY_JS = """window.mdPlotlyLoading = new Promise((resolve, reject) => {
  const root = (window.solara && window.solara.rootPath) || "";
  const script = document.createElement("script");
  script.src = root + this.src;
  script.onload = () => resolve(window.Plotly);
  script.onerror = () => { window.mdPlotlyLoading = null; reject(new Error("plotly.js")); };
  document.head.appendChild(script);
});"""
"""Loads plotly.js once per page from ``this.src`` (shared by the graph and the preloader)."""

_PLOTLY_TEMPLATE = """
<template>
  <div class="md-plotly-host" role="figure" :aria-label="label" style="width: 100%;">
    <div class="md-plotly" :style="{ width: '100%', minHeight: height + 'px' }"></div>
  </div>
</template>
<script>
module.exports = {
  mounted() { this.draw(); },
  watch: { figure() { this.draw(); } },
  beforeDestroy() {
    const el = this.$el && this.$el.firstChild;
    if (window.Plotly && el) { window.Plotly.purge(el); }
  },
  methods: {
    plotly() {
      if (window.Plotly) { return Promise.resolve(window.Plotly); }
      if (!window.mdPlotlyLoading) {
        /*LOAD_PLOTLY*/
      }
      return window.mdPlotlyLoading;
    },
    async draw() {
      const Plotly = await this.plotly();
      const el = this.$el.firstChild;
      const figure = this.figure || {};
      await Plotly.react(el, figure.data || [], figure.layout || {}, this.config || {});
      if (!el.mdBound) {
        el.mdBound = true;
        el.on("plotly_click", (event) => {
          const point = event && event.points && event.points[0];
          if (point) { this.click({ x: point.x, y: point.y }); }
        });
      }
    },
  },
};
</script>
""".replace("/*LOAD_PLOTLY*/", _LOAD_PLOTLY_JS)


class PlotlyWidget(v.VuetifyTemplate):
    """A Plotly graph drawn by plotly.js, loaded once per page from the server (and cached).

    Plotly's own ``FigureWidget`` sends its 5 MB JavaScript bundle with every graph over the
    websocket (25 MB for the explorer's five graphs); this widget sends only the figure's JSON.
    """

    template = traitlets.Unicode(_PLOTLY_TEMPLATE).tag(sync=True)
    figure = traitlets.Dict({}).tag(sync=True)
    config = traitlets.Dict({}).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Int(340).tag(sync=True)
    src = traitlets.Unicode(PLOTLY_JS_ROUTE).tag(sync=True)
    callback = traitlets.Any(None)

    def vue_click(self, data: dict[str, Any]) -> None:
        """Called from the browser with the clicked point's ``{x, y}``."""
        if callable(self.callback):
            self.callback(data)


_PRELOAD_TEMPLATE = """
<template><span class="md-plotly-preload" aria-hidden="true"></span></template>
<script>
module.exports = {
  mounted() {
    if (window.Plotly || window.mdPlotlyLoading) { return; }
    /*LOAD_PLOTLY*/
  },
};
</script>
""".replace("/*LOAD_PLOTLY*/", _LOAD_PLOTLY_JS)


class PlotlyPreload(v.VuetifyTemplate):
    """Starts loading plotly.js as the page opens, while the first ensemble computes."""

    template = traitlets.Unicode(_PRELOAD_TEMPLATE).tag(sync=True)
    src = traitlets.Unicode(PLOTLY_JS_ROUTE).tag(sync=True)


def plotly_preload_element() -> Any:
    """A Reacton element for :class:`PlotlyPreload`."""
    return PlotlyPreload.element()


def plotly_element(
    figure: dict[str, Any],
    config: dict[str, Any],
    label: str,
    height: int,
    on_click: Callable[[dict[str, Any]], None] | None = None,
) -> Any:
    """A Reacton element for :class:`PlotlyWidget`."""
    return PlotlyWidget.element(
        figure=figure, config=config, label=label, height=height, callback=on_click
    )
