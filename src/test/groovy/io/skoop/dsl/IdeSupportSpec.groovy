package io.skoop.dsl

import spock.lang.Specification

/** The shipped IDE files are exactly what the verb descriptors generate, and they are valid Groovy. */
class IdeSupportSpec extends Specification {

    static String shipped(String path) {
        IdeSupportSpec.classLoader.getResourceAsStream(path).withCloseable { it.getText('UTF-8') }
    }

    def "#file in the jar equals what IdeSupport generates (regenerate: java -cp target/classes:target/lib/* io.skoop.dsl.IdeSupport src/main/resources)"() {
        expect:
        shipped(file) == generated

        and: 'it compiles as Groovy, and names every verb with its return type'
        new GroovyShell().parse(generated) != null
        Verbs.standard().descriptors().every { generated.contains("method(name: '${it.name()}', type: '${it.returns().canonicalName}'") }

        where:
        file             | generated
        IdeSupport.GDSL  | IdeSupport.gdsl(Verbs.standard())
        IdeSupport.DSLD  | IdeSupport.dsld(Verbs.standard())
    }

    def "named parameters are offered for the optional ones: routeGet's from, iif, oif, mark"() {
        expect:
        IdeSupport.gdsl(Verbs.standard()).contains("method(name: 'routeGet', type: 'io.skoop.netstack.route.RouteResult', params: [at: 'io.skoop.dsl.EndpointRef', dst: 'java.lang.String'], namedParams: [parameter(name: 'from', type: 'java.lang.String'), parameter(name: 'iif', type: 'java.lang.String'), parameter(name: 'oif', type: 'java.lang.String'), parameter(name: 'mark', type: 'java.lang.Object')]")
    }
}
