package io.skoop.k8s.live

import io.skoop.testsupport.Cli
import io.skoop.testsupport.Kubeconfig
import io.skoop.testsupport.MockApiServer
import io.vertx.core.net.SelfSignedCertificate
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/**
 * {@code skoop collect} over HTTPS to an API server with a self-signed certificate: the kubeconfig's certificate
 * authority (a file relative to the kubeconfig, or inline data) is trusted, another one is refused with a line that
 * says so, and insecure-skip-tls-verify skips the check as kubectl does.
 */
class LiveTlsSpec extends Specification {
    @Shared Path tmp = Files.createTempDirectory('skoop-tls')
    @Shared MockApiServer api = new MockApiServer(['{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"default"}}'], tmp, true)

    def cleanupSpec() {
        api.close()
        tmp.toFile().deleteDir()
    }

    Path kubeconfig(String name, String clusterExtra) {
        Kubeconfig.write(tmp.resolve("$name/kubeconfig"), api.url(), 'tls', 't', clusterExtra)
    }

    def "trusted: #how"() {
        given:
        Path folder = Files.createDirectories(tmp.resolve(how.replace(' ', '-')))
        Path kc = kubeconfig(how.replace(' ', '-'), extra(api.certificate(), folder))

        when:
        def (code, out, err) = Cli.run('collect', '--kubeconfig', kc.toString(), '--objects-only', tmp.resolve("out-${how.replace(' ', '-')}").toString())

        then:
        api.url().startsWith('https://')
        err == ''
        code == 0
        out.contains('objects: 1 namespaces')

        where:
        how                                   | extra
        'certificate-authority beside it'     | { Path cert, Path dir -> Files.copy(cert, dir.resolve('ca.crt')); '    certificate-authority: ca.crt' }
        'certificate-authority-data'          | { Path cert, Path dir -> '    certificate-authority-data: ' + cert.bytes.encodeBase64().toString() }
        'insecure-skip-tls-verify'            | { Path cert, Path dir -> '    insecure-skip-tls-verify: true' }
    }

    def "another cluster's certificate authority: refused, one line saying why, nothing written"() {
        given:
        SelfSignedCertificate other = SelfSignedCertificate.create('localhost')
        Path kc = kubeconfig('other', '    certificate-authority: ' + other.certificatePath())
        Path out = tmp.resolve('out-other')

        when:
        def (code, text, err) = Cli.run('collect', '--kubeconfig', kc.toString(), '--objects-only', out.toString())

        then:
        code == 2
        err.readLines().size() == 1
        err.trim() == "skoop: error: TLS with the API server ${api.url()} (context tls) failed: its certificate is not signed by the " +
                'certificate authority the kubeconfig gives (certificate-authority or certificate-authority-data; the system\'s when none)' +
                ' — a kubeconfig of another cluster, or a rotated CA?'
        !Files.exists(out)

        cleanup:
        other?.delete()
    }
}
