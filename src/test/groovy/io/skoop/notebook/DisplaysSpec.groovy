package io.skoop.notebook

import io.skoop.dsl.Session
import org.dflib.jjava.jupyter.kernel.display.DisplayData
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType
import spock.lang.Shared
import spock.lang.Specification

/** What each value looks like in a notebook: the MIME bundle of skoop's types, text/plain for the rest. */
class DisplaysSpec extends Specification {
    @Shared CellEvaluator ev = new CellEvaluator(new Session(), System.err)
    @Shared Displays displays = new Displays()

    def setupSpec() {
        ev.eval("example('flannel-vxlan')", 'setup')
    }

    Map<String, Object> bundle(String code) {
        DisplayData d = displays.render(ev.eval(code, 'test').value())
        ['text/plain', 'text/html', 'image/svg+xml', 'application/json'].collectEntries { [it, d.getData(MIMEType.parse(it))] }.findAll { it.value != null }
    }

    def "a diagnosis: the report as text, an HTML summary with the graph inline, the graph as SVG, the JSON of docs/diagnose-json.md"() {
        when:
        def b = bundle("diagnose(pod('default/client'), pod('default/sleeper', 80))")
        String html = b['text/html']

        then:
        b.keySet() == ['text/plain', 'text/html', 'image/svg+xml', 'application/json'] as Set
        b['text/plain'].startsWith('diagnosis: default/client (10.244.0.2) -> default/sleeper (10.244.2.4) port 80/tcp')
        html.contains('verdict: <span style="background:#ff0000;color:#fff;font-weight:bold;padding:1px 6px;border-radius:3px">UNREACHABLE</span>')
        html =~ /<td style="[^"]*background:#ff0000;color:#fff;font-weight:bold">FATAL<\/td><td [^>]*>pod:default\/sleeper<\/td><td [^>]*>no socket listens on 10\.244\.2\.4:80\/tcp/
        html.contains('<svg style="max-width:100%;height:auto"')
        !html.contains('<?xml')
        html.contains('<title>request/pod:default/sleeper</title>')
        b['image/svg+xml'].contains('<svg')
        b['application/json'] instanceof Map
        b['application/json'].verdict == 'UNREACHABLE'
    }

    def "the share of connections that complete is said when only some do"() {
        given:
        def d = ev.eval("diagnose(pod('default/client'), service('default/web', 80))", 't').value().diagnosis
        def partial = new io.skoop.diagnose.Diagnosis(d.query(), d.source(), d.destination(), d.verdict(), 2 / 3d, d.request(), d.reply(),
                d.branches(), d.suspicions(), d.snapshot(), d.opened())

        expect:
        io.skoop.render.HtmlRenderer.share(d) == ''
        io.skoop.render.HtmlRenderer.share(partial) == '— 67% of new connections complete'
        io.skoop.render.HtmlRenderer.diagnosis(partial, null).contains('— 67% of new connections complete')
    }

    def "route lookups and traces: HTML tables of every decision, JSON for programs"() {
        when:
        def route = bundle("routeGet(node('node-1'), '10.244.1.2', from: '10.244.0.2', iif: 'cni0')")
        def trace = bundle("trace(node('node-1'), packet('tcp 10.244.0.2:40000 > 10.96.0.2:80'), path: 'forward', iif: 'cni0')")

        then:
        route['text/html'].contains('<code>10.244.1.2 from 10.244.0.2 via 10.244.1.0 dev flannel.1 iif cni0</code>')
        route['text/html'].contains('>table lookup</td>')
        route['application/json'].dev == 'flannel.1'

        and: 'each statistic branch is a table; the DNAT row shows the packet before and after'
        (trace['text/html'] =~ /<caption[^>]*>branch \d\/3  p=0\.333333  FORWARDED/).count == 3
        trace['text/html'].contains('tcp 10.244.0.2:40000 &gt; 10.96.0.2:80 → tcp 10.244.0.2:40000 &gt; 10.244.1.2:8080')
        trace['text/html'].contains('-A KUBE-SERVICES -d 10.96.0.2/32 -p tcp -m comment --comment &quot;default/web:http cluster IP&quot;')
        trace['application/json'].branches.size() == 3
    }

    def "Send/Receive steps and NetNodes: tables of transmissions and decisions"() {
        when:
        def steps = bundle("n = netnode(pod('default/client')); s = n.send(service('default/web', 80)); netnode(s[0].nextHop).receive(s[0])")
        def node = bundle("netnode(s[0].nextHop)")

        then:
        steps['text/html'].contains('3 steps (steps[i].nextHop is where to receive next)')
        steps['text/html'].contains('→ node:node-2')
        steps['text/html'].contains('vxlan eth0 → eth0')
        node['text/html'].contains('<b>node:node-1</b> [service, forward]')
        node['text/html'].contains('<caption style="text-align:left;font-weight:bold;padding:2px 0">decisions</caption>')
    }

    def "cluster listings: kubectl's table as text, an HTML table, records as JSON"() {
        when:
        def pods = bundle("pods('kube-system')")

        then:
        pods['text/plain'].startsWith('NAMESPACE     NAME               READY')
        pods['text/html'].contains('<caption style="text-align:left;font-weight:bold;padding:2px 0">4 pods</caption>')
        pods['application/json'][0] == [namespace: 'kube-system', name: 'coredns', ready: 'true', status: 'Running', ip: '10.244.2.3', node: 'node-3']
    }

    def "what a user makes is text/plain; a renderer registered for it gives its own bundle"() {
        when:
        ev.eval('class Hops { List names; String toString() { "hops " + names } }', 'def')
        def plain = bundle('new Hops(names: ["a", "b"])')

        then:
        plain == ['text/plain': 'hops [a, b]']

        when:
        ev.binding().setVariable('displays', displays)
        ev.eval("displays.register(Hops) { h -> ['text/html': '<ol>' + h.names.collect { '<li>' + it + '</li>' }.join() + '</ol>'] }", 'reg')
        def rich = bundle('new Hops(names: ["a", "b"])')

        then:
        rich == ['text/plain': 'hops [a, b]', 'text/html': '<ol><li>a</li><li>b</li></ol>']
    }

    def "HTML escapes what dumps and users wrote"() {
        expect:
        io.skoop.render.Html.escape('<script>"x" & \'y\'</script>') == '&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;'
        !bundle("[new io.skoop.model.Suspicion(io.skoop.model.Level.WARNING, '<b>x</b>')]")['text/html'].contains('<b>x</b>')
    }

    def "skoop diagnose -o html writes a page: summary, graph, every hop's decisions"() {
        when:
        def out = new ByteArrayOutputStream()
        def cl = io.skoop.cli.SkoopCommand.commandLine()
        cl.out = new PrintWriter(out, true)
        int code = cl.execute('diagnose', '--example', 'flannel-vxlan', '-s', 'default/client', '-d', 'svc/default/web', '-o', 'html')
        String page = out.toString('UTF-8')

        then:
        code == 0
        page.startsWith('<!DOCTYPE html>')
        page.contains('<title>skoop: default/client (10.244.0.2) -&gt; svc/default/web (10.96.0.2) port 80/tcp: REACHABLE</title>')
        page.contains('<svg')
        page.contains('decisions on the request')
    }
}
