// Why can't a pod reach a Service? The path to every backend, the suspicions, the verdict.
// skoop run scripts/runbooks/pod-to-service.groovy --example flannel-vxlan --param service=default/web --param port=80
def p = params(
        source:   [default: 'default/client', help: 'the client pod, namespace/name'],
        service:  [default: 'default/web', help: 'the Service, namespace/name'],
        port:     [default: '80', help: 'the Service port, number or name'],
        protocol: [values: ['tcp', 'udp'], default: 'tcp', help: 'the protocol'])
if (!skoopSession.hasSnapshot()) {
    example('flannel-vxlan')
}
def d = diagnose(pod(p.source), service(p.service, p.port), p.protocol == 'udp' ? udp : tcp)
println d
d.diagnosis.branches().findAll { it.direction().name() == 'REQUEST' }.each { b ->
    println "backend ${b.hop()}: ${b.kind()} (p=${String.format('%.3f', b.probability())}) ${b.reason()}"
}
d
