// Does a Service have endpoints, and do the nodes' kube-proxy rules agree with its EndpointSlices?
// skoop run scripts/runbooks/service-endpoints.groovy --example flannel-vxlan --param service=default/web --param port=80
def p = params(
        service: [default: 'default/web', help: 'the Service, namespace/name'],
        port:    [default: '80', help: 'the Service port, number or name'],
        from:    [default: '', help: 'the node whose rules to check (default: every node)'])
if (!skoopSession.hasSnapshot()) {
    example('flannel-vxlan')
}
def ipCache = skoopSession.diagnostor().ipCache()
def (ns, name) = p.service.split('/', 2)
def svc = ipCache.service(ns, name)
def eps = ipCache.endpoints(svc, p.port, null)
println "EndpointSlices of ${svc.key()} port ${p.port}: ${eps.size()} endpoint(s)"
eps.each { println "  ${it}" }
def nodes = p.from ? [p.from] : ipCache.objects().nodes()*.name()
boolean ok = true
nodes.each { n ->
    def d = diagnose(node(n), service(p.service, p.port))
    def backends = d.diagnosis.branches().findAll { it.direction().name() == 'REQUEST' && it.kind().name() == 'DELIVERED' }*.hop()*.toString().unique()
    println "from node ${n}: ${d.verdict} via ${backends}"
    d.suspicions.findAll { it.level().name() in ['FATAL', 'CRITICAL', 'WARNING'] && it.message().contains('Service') }.each { println "  ${it}" }
    ok &= d.reachable
}
ok && !eps.isEmpty()
