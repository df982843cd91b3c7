/// The form a browser gets when the studio has a token and the request carried none.
enum LoginPage {
    static func html(failed: Bool) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Backdrop Studio: log in</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>body{font:16px system-ui,sans-serif;background:#111418;color:#e8eaed;display:grid;place-items:center;height:100vh;margin:0}
        form{background:#1c2128;padding:2em;border-radius:10px;min-width:20em}input{font:inherit;width:100%;box-sizing:border-box;margin:.5em 0;padding:.5em}
        button{font:inherit;padding:.5em 1.5em}.error{color:#ff7b72}</style></head><body>
        <form method="post" action="/login"><h1>Backdrop Studio</h1>
        <p>This studio needs the token the run was started with (<code>--token</code>).</p>
        \(failed ? "<p class=\"error\">That token is not this studio's.</p>" : "")
        <input type="password" name="token" autocomplete="current-password" autofocus aria-label="token">
        <button type="submit">Log in</button></form></body></html>
        """
    }
}
