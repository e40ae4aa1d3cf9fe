import QuenchHTML

/// app.css, served at /ui/static/app.css: the registry pages' look on a laptop and at phone width
/// (tables scroll sideways inside their wrapper, forms stack), visible keyboard focus, status and
/// alias badges, flash colours and the loss chart's classes. Kept in a Swift string so a copied
/// binary carries it; the CSP allows no inline styles, so every look is a class here.
enum StyleSheet {
    static let css = """
        :root{--ink:#1d1d1f;--muted:#5f6368;--line:#e3e3e3;--soft:#f6f7f9;--accent:#1a56c4;--focus:#f9ab00;
        --ok-bg:#e6f4ea;--ok:#137333;--bad-bg:#fce8e6;--bad:#a50e0e;--warn-bg:#fef7e0;--warn:#8a5a00}
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
        a{color:var(--accent)}a:hover{text-decoration-thickness:2px}
        :focus-visible{outline:3px solid var(--focus);outline-offset:2px}
        .skip-link{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
        .skip-link:focus{left:1rem}
        .site-header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.75rem 1.5rem;background:#202124;color:#fff}
        .site-header a{color:#fff}
        .brand{font-weight:700;font-size:1.1rem;text-decoration:none}
        .site-nav{display:flex;gap:1rem}
        .site-nav a{text-decoration:none;padding:.2rem 0;border-bottom:2px solid transparent}
        .site-nav a:hover{border-bottom-color:#fff}
        .who{margin-left:auto;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
        .who .muted{color:#c4c7c5}
        .who form{margin:0}
        main{max-width:1100px;margin:0 auto;padding:1.25rem 1.5rem 3rem}
        main:focus{outline:none}
        h1{font-size:1.6rem;margin:.5rem 0 1rem;word-break:break-word}
        h2{font-size:1.2rem;border-bottom:1px solid var(--line);padding-bottom:.25rem;margin:2rem 0 .75rem}
        h3{font-size:1rem;margin:1.25rem 0 .5rem}
        .muted{color:var(--muted)}
        code.hash{white-space:nowrap;word-break:normal}
        code.json{display:block;min-width:18rem}
        .breadcrumb{margin:0;color:var(--muted)}
        code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
        .flash{padding:.6rem .9rem;border-radius:6px;margin:0 0 1rem;font-weight:600;border-left:4px solid}
        .flash.done{background:var(--ok-bg);color:var(--ok)}
        .flash.refused{background:var(--bad-bg);color:var(--bad)}
        .notice{background:var(--warn-bg);color:var(--warn);padding:.5rem .8rem;border-radius:6px}
        .table-wrap{overflow-x:auto;margin:0 0 1rem;border:1px solid var(--line);border-radius:6px}
        table{border-collapse:collapse;width:100%;font-size:14px}
        th,td{padding:.45rem .6rem;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
        thead th{background:var(--soft);font-weight:600;white-space:nowrap}
        tbody tr:last-child td,tbody tr:last-child th{border-bottom:0}
        tbody tr:hover{background:#fafbfc}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        tr.fail td{background:#fdf1f0}
        time{white-space:nowrap}
        th .sort{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer;text-decoration:underline dotted}
        th .sort::after{content:" \\2195";color:var(--muted)}
        th[aria-sort="ascending"] .sort::after{content:" \\25B2"}
        th[aria-sort="descending"] .sort::after{content:" \\25BC"}
        .status,.alias,.verdict,.check{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap}
        .status{background:#eceff1;color:#37474f}
        .status-pending_approval{background:var(--warn-bg);color:var(--warn)}
        .status-approved{background:var(--ok-bg);color:var(--ok)}
        .status-rejected{background:var(--bad-bg);color:var(--bad)}
        .status-archived{background:#eceff1;color:var(--muted)}
        .alias{background:#e8f0fe;color:#174ea6;margin:0 .15rem .15rem 0}
        .verdict.pass,.check.pass{background:var(--ok-bg);color:var(--ok)}
        .verdict.fail,.check.fail{background:var(--bad-bg);color:var(--bad)}
        .verdict.unknown{background:var(--warn-bg);color:var(--warn)}
        .flag{color:var(--warn);font-weight:600}
        .facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.25rem;margin:0 0 1rem}
        .facts dt{color:var(--muted)}
        .facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
        .note{white-space:pre-wrap;background:var(--soft);padding:.6rem .8rem;border-radius:6px;overflow-wrap:anywhere}
        .version-nav{display:flex;gap:1.5rem;margin:-.5rem 0 .5rem}
        .action-forms{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1rem}
        .stacked{display:flex;flex-direction:column;gap:.4rem;max-width:32rem}
        .action{border:1px solid var(--line);border-radius:6px;padding:.8rem;max-width:none}
        label{font-weight:600}
        input,select,textarea,button{font:inherit}
        input[type=password],input[type=search],select,textarea{padding:.45rem .55rem;border:1px solid #9aa0a6;border-radius:6px;background:#fff;color:var(--ink);width:100%}
        textarea{resize:vertical}
        button{padding:.45rem 1rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;font-weight:600;align-self:flex-start}
        button:hover{filter:brightness(1.1)}
        .who button{background:transparent;border-color:#c4c7c5;padding:.25rem .7rem}
        #reject button,#archive button,#rollback button{background:#fff;color:var(--bad);border-color:var(--bad)}
        .search{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:0 0 1rem}
        .search input{flex:1 1 16rem;width:auto}
        .chart-figure{margin:0}
        .chart-figure figcaption{color:var(--muted);font-size:13px}
        \(LossChartSVG.css)
        @media (max-width:700px){
        .site-header{padding:.6rem 1rem}
        .who{margin-left:0;width:100%}
        main{padding:1rem}
        h1{font-size:1.3rem}
        .facts{grid-template-columns:1fr;gap:.1rem}
        .facts dd{margin-bottom:.5rem}
        .search{flex-direction:column;align-items:stretch}
        .search input{flex:none;width:100%}
        button{align-self:stretch}
        .who button{align-self:auto}
        }
        @media (prefers-reduced-motion:reduce){*{scroll-behavior:auto}}

        """
}
