// The page's styles. Lanes come in chunks with content-visibility: a 10,000-task run lays out
// only the chunks on screen.
export const PAGE_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#1d1f21}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1rem;margin:.8rem 0 .3rem}h4{font-size:.85rem;margin:.5rem 0 .2rem;color:#444}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#666}dd{margin:0;font-family:ui-monospace,monospace}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;max-height:30rem;white-space:pre-wrap;word-break:break-word;margin:.2rem 0;font:12px/1.4 ui-monospace,monospace}
.badge{border-radius:.6rem;padding:.05rem .5rem;font-size:.8rem;color:#fff;background:#888}
.success{background:#2e7d32}.up-to-date{background:#558b2f}.failed{background:#c62828}.cancelled{background:#ef6c00}.skipped{background:#9e9e9e}.unknown{background:#555}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 26rem;gap:1rem;align-items:start}
#detail{position:sticky;top:.5rem;max-height:95vh;overflow:auto;border:1px solid #ddd;padding:.5rem;background:#fff}
#detail .attempt{border-left:3px solid #2e7d32;padding-left:.5rem;margin:.5rem 0;background:none}#detail .attempt.failed,#detail .attempt.cancelled{border-color:#c62828}
.timeline{font:12px ui-monospace,monospace}
.chunk{content-visibility:auto;contain-intrinsic-size:auto 26rem}
.lane{display:grid;grid-template-columns:14rem 4.5rem 2rem 4rem 1fr;align-items:center;height:1.3rem;cursor:pointer}
.lane>span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding-right:.4rem}
.lane:hover,.lane.selected{background:#eef3fb}.lane:focus{outline:1px solid #1565c0}
.lane.crit .label{font-weight:bold}.lane.crit .label::before{content:"◆ ";color:#6a1b9a}.lane.crit .track{box-shadow:inset 3px 0 #6a1b9a}
.lane.need{background:#fff3cd}.lane.dependent{background:#e3f2fd}
.st-success{color:#2e7d32}.st-up-to-date{color:#558b2f}.st-failed{color:#c62828}.st-cancelled{color:#ef6c00}.st-skipped{color:#777}
.track{position:relative;height:.8rem;background:#f3f3f3;padding:0}.seg{position:absolute;top:0;bottom:0;min-width:2px}
.seg.failed,.swatch-failed{background:repeating-linear-gradient(45deg,#c62828 0 4px,#e57373 4px 8px)}.swatch-success{background:#2e7d32}
.scale{display:flex;justify-content:space-between;color:#666;margin-left:24.5rem}
.legend span{margin-right:1rem}.legend i{display:inline-block;width:1rem;height:.7rem;vertical-align:middle;margin-right:.3rem}
.failure{border-left:3px solid #c62828;padding-left:.6rem;margin:.8rem 0}.failure.tolerated{border-color:#ef6c00}
.none{color:#666}.note{color:#444}
`;
