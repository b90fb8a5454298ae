/**
 * The element's shadow-DOM styles. Everything a host page may want to change is a CSS custom
 * property (they inherit through the shadow boundary); the rest stays encapsulated.
 */
export const ONDECK_FEED_CSS = /* css */ `
:host {
  --_bg: var(--ondeck-bg, #0f1115);
  --_fg: var(--ondeck-fg, #eef0f4);
  --_muted: var(--ondeck-muted, #9aa3b2);
  --_card: var(--ondeck-card-bg, #1a1d24);
  --_accent: var(--ondeck-accent, #ff5a5f);
  --_radius: var(--ondeck-radius, 12px);
  --_gap: var(--ondeck-gap, 16px);
  --_min: var(--ondeck-card-min-width, 220px);
  display: block;
  background: var(--_bg);
  color: var(--_fg);
  font: 14px/1.4 var(--ondeck-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
}
.grid {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(var(--_min), 1fr));
  gap: var(--_gap);
  padding: var(--_gap);
}
.card {
  position: relative;
  display: flex;
  flex-direction: column;
  background: var(--_card);
  border-radius: var(--_radius);
  overflow: hidden;
  cursor: pointer;
  outline: none;
  transition: transform .15s ease, opacity .2s ease;
}
.card:hover, .card:focus-visible { transform: translateY(-2px); box-shadow: 0 0 0 2px var(--_accent); }
.card.hiding { opacity: 0; transform: scale(.96); }
.thumb { position: relative; aspect-ratio: 16 / 9; background: #222; }
.thumb img, .thumb svg { display: block; width: 100%; height: 100%; object-fit: cover; }
.duration {
  position: absolute; right: 8px; bottom: 8px; padding: 1px 6px; border-radius: 4px;
  background: rgb(0 0 0 / .75); color: #fff; font-size: 12px; font-variant-numeric: tabular-nums;
}
.watched { position: absolute; left: 0; bottom: 0; height: 3px; background: var(--_accent); }
.body { padding: 10px 12px 12px; display: flex; flex-direction: column; gap: 4px; flex: 1; }
.title {
  margin: 0; font-size: 15px; font-weight: 600; line-height: 1.3;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden;
}
.reason { color: var(--_muted); font-size: 12px; }
.actions { display: flex; gap: 8px; margin-top: auto; padding-top: 6px; }
button {
  font: inherit; color: var(--_fg); background: transparent; cursor: pointer;
  border: 1px solid color-mix(in srgb, var(--_fg) 25%, transparent); border-radius: 999px;
  padding: 3px 10px; font-size: 12px;
}
button:hover { border-color: var(--_accent); }
button[aria-pressed="true"] { background: var(--_accent); border-color: var(--_accent); color: #fff; }
.note { padding: 24px var(--_gap); text-align: center; color: var(--_muted); }
.note.error { color: var(--_accent); }
.sentinel { height: 1px; }
.player {
  position: fixed; inset: 0; z-index: 1000; display: grid; place-items: center;
  background: rgb(0 0 0 / .8); padding: 16px;
}
.player-box {
  width: min(720px, 100%); background: var(--_card); border-radius: var(--_radius); overflow: hidden;
}
.player-box .thumb { aspect-ratio: 16 / 9; }
.player-box .play-icon { display: none; }
.player-box .play-state {
  position: absolute; inset: 0; display: grid; place-items: center; font-size: 56px;
  color: rgb(255 255 255 / .85); text-shadow: 0 2px 12px rgb(0 0 0 / .6);
}
.progress { height: 6px; background: color-mix(in srgb, var(--_fg) 15%, transparent); }
.progress > div { height: 100%; width: 0; background: var(--_accent); }
.player-info { padding: 12px 16px 16px; display: flex; flex-direction: column; gap: 8px; }
.player-row { display: flex; align-items: center; gap: 8px; justify-content: space-between; }
.time { font-variant-numeric: tabular-nums; color: var(--_muted); font-size: 13px; }
`;
