/** The widget's CSS, scoped by its shadow root, so the host page's styles neither leak in nor out. */
export const WIDGET_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.root {
  --cf-accent: #0b6e4f; --cf-accent-dark: #08523b; --cf-danger: #b3261e; --cf-text: #1d2421; --cf-muted: #5b6661;
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--cf-text);
  display: flex; flex-direction: column; align-items: flex-end; gap: 12px;
}
button, select, input { font: inherit; }
.launcher {
  display: inline-flex; align-items: center; gap: 8px; border: 0; border-radius: 999px; cursor: pointer;
  padding: 12px 20px; background: var(--cf-accent); color: #fff; font-weight: 600;
  box-shadow: 0 6px 20px rgba(0,0,0,.22);
}
.launcher:hover { background: var(--cf-accent-dark); }
.launcher:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
.launcher svg { width: 18px; height: 18px; fill: currentColor; }
.panel {
  width: min(340px, calc(100vw - 40px)); background: #fff; border-radius: 14px; overflow: hidden;
  box-shadow: 0 12px 40px rgba(0,0,0,.25); border: 1px solid #d9dfdc;
}
.panel[hidden] { display: none; }
.head { display: flex; align-items: center; justify-content: space-between; padding: 12px 16px; background: var(--cf-accent); color: #fff; }
.head h2 { margin: 0; font-size: 16px; }
.close { background: transparent; border: 0; color: #fff; font-size: 22px; line-height: 1; cursor: pointer; padding: 2px 6px; border-radius: 6px; }
.body { padding: 16px; display: grid; gap: 12px; }
label { display: grid; gap: 4px; font-size: 13px; color: var(--cf-muted); }
select, input { padding: 8px; border: 1px solid #b8c2bd; border-radius: 8px; background: #fff; color: var(--cf-text); }
.callback { display: grid; gap: 8px; margin: 0; }
.callback[hidden], input[hidden] { display: none; }
.secondary { background: #fff; color: var(--cf-accent); border-color: var(--cf-accent); }
.status { margin: 0; min-height: 1.4em; }
.queue { margin: 0; color: var(--cf-muted); font-size: 14px; }
.queue[hidden], .error[hidden] { display: none; }
.error { margin: 0; padding: 8px 10px; border-radius: 8px; background: #fde8e7; color: var(--cf-danger); font-size: 14px; }
.hint { margin: 0; font-size: 12px; color: var(--cf-muted); }
.menu { display: grid; gap: 8px; }
.menu[hidden], .menu .btn[hidden] { display: none; }
.menu-title { margin: 0; font-weight: 600; }
.choices { display: grid; gap: 6px; }
.choice { background: #fff; color: var(--cf-accent); border-color: var(--cf-accent); text-align: left; }
.links { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; max-height: 220px; overflow-y: auto; }
.links[hidden] { display: none; }
.links li { display: flex; gap: 10px; align-items: center; padding: 8px 10px; border: 1px solid #cfe3da; border-radius: 8px; background: #f1f8f5; }
.links li div { flex: 1; min-width: 0; overflow-wrap: anywhere; font-size: 14px; }
.link-host { display: block; color: var(--cf-muted); font-size: 12px; }
a.btn { flex: none; text-decoration: none; text-align: center; }
a.btn:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
.survey { display: grid; gap: 6px; padding: 10px; border: 1px solid #cfe3da; border-radius: 8px; background: #f1f8f5; }
.survey[hidden], .survey .hint[hidden], .survey-thanks:empty { display: none; }
.survey-question { margin: 0; font-weight: 600; }
.scores { display: flex; gap: 6px; }
.score {
  flex: 1; display: grid; justify-items: center; padding: 4px 0; border: 1px solid #b8c2bd; border-radius: 8px;
  background: #fff; color: #b8c2bd; cursor: pointer; font-size: 24px; line-height: 1.1;
}
.score .n { font-size: 12px; color: var(--cf-muted); }
.score.on, .scores:hover .score:not(:disabled) { color: #d99a00; border-color: #d99a00; }
.scores .score:not(:disabled):hover ~ .score { color: #b8c2bd; border-color: #b8c2bd; }
.score:disabled { cursor: default; }
.survey-thanks { margin: 0; color: var(--cf-accent-dark); font-weight: 600; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; }
.btn { flex: 1; padding: 10px 12px; border-radius: 8px; border: 1px solid transparent; cursor: pointer; font-weight: 600; }
.btn[hidden] { display: none; }
.btn:disabled { opacity: .5; cursor: default; }
.start { background: var(--cf-accent); color: #fff; }
.start:hover:not(:disabled) { background: var(--cf-accent-dark); }
.hangup { background: var(--cf-danger); color: #fff; }
.mute { background: #fff; color: var(--cf-text); border-color: #b8c2bd; }
.mute[aria-pressed="true"] { background: #fff4d6; border-color: #f2b705; }
@media (prefers-reduced-motion: no-preference) { .panel { animation: cf-in .15s ease-out; } }
@keyframes cf-in { from { transform: translateY(8px); opacity: 0; } to { transform: none; opacity: 1; } }
`;
