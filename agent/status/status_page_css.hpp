// The status page's style sheet, inline in every page (no external resources).
#pragma once

#include <string_view>

namespace rdns::agent {

// Inline, so the page needs nothing but itself. Light and dark schemes; one column of cards that
// wraps its chips on a phone, the same cards wider on a desktop.
inline constexpr std::string_view k_status_page_css = R"css(
:root{color-scheme:light dark;--bg:#f4f6f8;--card:#fff;--fg:#1f2328;--muted:#5b6570;--border:#d5dce3;
--pass:#1a7f37;--pass-bg:#dcf5e3;--fail:#c4222b;--fail-bg:#ffe9e7;--warn:#8a5d00;--warn-bg:#fff6cc;
--none:#5b6570;--none-bg:#edf0f3}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--fg:#e6edf3;--muted:#9aa4ae;
--border:#30363d;--pass:#46c25a;--pass-bg:#13281b;--fail:#ff6b61;--fail-bg:#33161a;--warn:#e0a82e;
--warn-bg:#2f2712;--none:#9aa4ae;--none-bg:#222831}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 14px}
header{padding-top:16px}
h1{font-size:21px;margin:0}
.sub{color:var(--muted);font-size:13px;margin:2px 0 12px}
.counts{display:grid;grid-template-columns:repeat(4,1fr);gap:8px}
.count{display:block;text-decoration:none;color:var(--fg);background:var(--card);border:1px solid var(--border);
border-radius:12px;padding:8px 12px}
.count b{display:block;font-size:24px;line-height:1.2}
.count span{font-size:13px;color:var(--muted)}
.count.failing b{color:var(--fail)}.count.undecided b{color:var(--warn)}.count.passing b{color:var(--pass)}
.count.on{outline:2px solid var(--fg)}
form{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
input,select,button{font:inherit;color:var(--fg);background:var(--card);border:1px solid var(--border);
border-radius:8px;padding:7px 10px;min-height:40px}
input{flex:1 1 180px;min-width:0}
button{background:var(--fg);color:var(--bg);border-color:var(--fg);font-weight:600}
.note{color:var(--muted);font-size:13px;margin:0 0 10px}
.resolver-problem{border:2px solid #c0392b;border-radius:6px;padding:8px 10px;margin:0 0 10px;font-weight:600}
.pages{display:flex;gap:16px;justify-content:flex-end;max-width:1100px;margin:0 auto 10px;padding:0 14px;
font-size:14px}
main{display:grid;gap:10px;padding-bottom:16px}
.target{background:var(--card);border:1px solid var(--border);border-left:6px solid var(--none);
border-radius:12px;padding:10px 14px;min-width:0}
.target.failing{border-left-color:var(--fail)}.target.undecided{border-left-color:var(--warn)}
.target.passing{border-left-color:var(--pass)}
.head{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:6px}
.ip{font:600 16px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere;margin:0}
.badge{font-size:11px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;border-radius:999px;
padding:3px 10px;background:var(--none-bg);color:var(--none);white-space:nowrap}
.badge.failing{background:var(--fail-bg);color:var(--fail)}.badge.undecided{background:var(--warn-bg);color:var(--warn)}
.badge.passing{background:var(--pass-bg);color:var(--pass)}
.names{margin:6px 0 0;font:14px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.names .none{font-family:inherit;color:var(--muted);font-style:italic}
.verdicts{list-style:none;margin:8px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.v{font-size:13px;border-radius:6px;padding:2px 8px;background:var(--none-bg);color:var(--none);white-space:nowrap}
.v.pass{background:var(--pass-bg);color:var(--pass)}.v.fail{background:var(--fail-bg);color:var(--fail);font-weight:600}
.v.unknown{background:var(--warn-bg);color:var(--warn)}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:1px 12px;margin:8px 0 0;font-size:13px}
.meta dt{color:var(--muted)}.meta dd{margin:0;overflow-wrap:anywhere;min-width:0}
.hints{margin:10px 0 2px;padding:8px 12px;border-radius:8px;background:var(--fail-bg);font-size:13px}
.target.undecided .hints{background:var(--warn-bg)}
.hints strong{display:block;margin-bottom:2px}
.hints ul{margin:0;padding-left:18px}.hints li{overflow-wrap:anywhere}
.zone-servers{margin:8px 0 0;font-size:13px;overflow-x:auto}.zone-servers table{border-collapse:collapse}
.zone-servers td,.zone-servers th{padding:1px 8px 1px 0;text-align:left}.zone-servers tr.down{color:var(--fail)}
footer{color:var(--muted);font-size:12px;padding-bottom:20px}
a{color:inherit}
/* phones: last, so it overrides the rules above */
@media (max-width:560px){.counts{gap:6px}.count{padding:6px 8px;border-radius:10px}.count b{font-size:20px}
.count span{font-size:11px;line-height:1.2;display:block}input{flex-basis:100%}select{flex:1}}
)css";

}  // namespace rdns::agent
