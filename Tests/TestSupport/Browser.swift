import Foundation

/// A page opened in headless Chromium and read as a person sees it: its visible text
/// (`document.body.innerText`), its width at a window size, its SVG charts, and a screenshot.
///
/// Chromium is driven over its DevTools protocol on a pipe (`--remote-debugging-pipe`: commands
/// on fd 3, replies on fd 4, each a JSON message ended by NUL) by a short Python script using
/// the standard library only; the page itself is not changed to be measured.
public enum Browser {
    /// Chromium, where Debian and Ubuntu put it; nil when it is not installed.
    public static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Why a browser test cannot run here, or nil when it can.
    public static var skipReason: String? {
        chromium == nil ? "chromium is not installed (scripts/test installs it with apt-get when run as root)" : nil
    }

    /// What the page showed.
    public struct Reading: Decodable, Sendable {
        /// `document.body.innerText`: the text as rendered (hidden elements left out).
        public var text: String
        /// `document.documentElement.scrollWidth` and `clientWidth`: wider than the window
        /// means a horizontal scroll bar.
        public var scrollWidth: Int
        public var clientWidth: Int
        /// How many `svg` elements the page draws.
        public var svgs: Int
        /// How many `script` elements it has (a report has none).
        public var scripts: Int
        /// Elements (tables, figures, their scroll boxes, paragraphs, headings) wider than their
        /// box or reaching past the window's right edge, described for a failure message.
        public var overflowing: [String]
        /// Every resource the page fetched (a self-contained page fetches none).
        public var resources: [String]
        /// Each objective chart's `data-objective`, and the text of its axis labels.
        public var charts: [Chart]

        public struct Chart: Decodable, Sendable {
            public var objective: String
            public var labels: [String]
        }
    }

    /// Opens `page` in a `width`×`height` window and reads it; with `screenshot`, saves what
    /// the window shows there as PNG.
    public static func read(_ page: URL, width: Int = 1280, height: Int = 900, screenshot: URL? = nil) throws -> Reading {
        guard let chromium else { throw BrowserError(message: skipReason ?? "no chromium") }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, chromium, page.absoluteString, String(width), String(height), screenshot?.path ?? ""]
        let out = Pipe()
        let err = Pipe()
        python.standardOutput = out
        python.standardError = err
        try python.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        guard python.terminationStatus == 0 else { throw BrowserError(message: "the browser script failed: \(problem)") }
        return try JSONDecoder().decode(Reading.self, from: data)
    }

    public struct BrowserError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    static let script = #"""
        import base64, json, os, shutil, subprocess, sys, tempfile, time
        chrome, url, width, height, shot = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # Inheritable copies away from 3 and 4, so that neither dup2 in the child lands on the other.
        os.dup2(to_chrome_r, 100)
        os.dup2(from_chrome_w, 101)
        def child():
            os.dup2(100, 3)
            os.dup2(101, 4)
        profile = tempfile.mkdtemp(prefix='consult-chromium-')
        proc = subprocess.Popen([chrome, '--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run',
            '--remote-debugging-pipe', '--user-data-dir=' + profile, 'about:blank'],
            preexec_fn=child, close_fds=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (100, 101, to_chrome_r, from_chrome_w):
            os.close(fd)
        out = os.fdopen(to_chrome_w, 'wb', buffering=0)
        inp = os.fdopen(from_chrome_r, 'rb', buffering=0)
        pending = b''
        last = 0
        def call(method, params=None, session=None):
            global last, pending
            last += 1
            message = {'id': last, 'method': method, 'params': params or {}}
            if session:
                message['sessionId'] = session
            out.write(json.dumps(message).encode() + b'\0')
            while True:
                while b'\0' not in pending:
                    chunk = inp.read(1 << 16)
                    if not chunk:
                        raise SystemExit('chromium closed the pipe')
                    pending += chunk
                line, pending = pending.split(b'\0', 1)
                reply = json.loads(line)
                if reply.get('id') == last:
                    if 'error' in reply:
                        raise SystemExit(method + ': ' + json.dumps(reply['error']))
                    return reply['result']
        def evaluate(expression, session):
            return call('Runtime.evaluate', {'expression': expression, 'returnByValue': True}, session)['result'].get('value')
        try:
            target = call('Target.createTarget', {'url': 'about:blank'})['targetId']
            session = call('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']
            call('Emulation.setDeviceMetricsOverride', {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': False}, session)
            call('Page.navigate', {'url': url}, session)
            for _ in range(400):
                if evaluate('document.readyState', session) == 'complete' and evaluate('location.href', session) == url:
                    break
                time.sleep(0.05)
            else:
                raise SystemExit('the page did not load: ' + url)
            result = evaluate('''JSON.stringify({
              text: document.body.innerText,
              scrollWidth: document.documentElement.scrollWidth,
              clientWidth: document.documentElement.clientWidth,
              svgs: document.querySelectorAll('svg').length,
              scripts: document.querySelectorAll('script').length,
              overflowing: Array.from(document.querySelectorAll('table, figure, .scroll, p, h1, h2, h3, svg'))
                .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                .map(e => e.tagName + '.' + e.className + ' right ' + Math.round(e.getBoundingClientRect().right) + ', scrollWidth ' + e.scrollWidth + ' > ' + e.clientWidth),
              resources: performance.getEntriesByType('resource').map(r => r.name),
              charts: Array.from(document.querySelectorAll('figure.objective-chart')).map(f => ({
                objective: f.dataset.objective, labels: Array.from(f.querySelectorAll('svg text')).map(t => t.textContent) }))
            })''', session)
            if shot:
                data = call('Page.captureScreenshot', {'format': 'png'}, session)['data']
                with open(shot, 'wb') as f:
                    f.write(base64.b64decode(data))
            print(result)
        finally:
            try:
                call('Browser.close')
            except BaseException:
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            shutil.rmtree(profile, ignore_errors=True)
        """#
}
