package io.skoop.notebook.jupyter

import groovy.json.JsonSlurper

import java.nio.file.Path

/**
 * A notebook's outputs as two runs must agree on them: per code cell (by id) its execution count and outputs, stream
 * outputs merged as one text per run of the same stream (Jupyter may send a stream in pieces), {@code text/plain} and
 * {@code text/html} (the inline SVG graph replaced by a marker: Graphviz lays it out, the comparison is about what skoop
 * says), errors by name and value; volatile parts normalized: times ({@code time: 12.3 ms}, {@code up in 1.3 s}),
 * process ids, temporary paths.
 */
class NotebookOutputs {
    /** Reads a notebook file. */
    static Map read(Path file) {
        new JsonSlurper().parse(file.toFile()) as Map
    }

    /** Cell id → [count: n, outputs: [...]] for every code cell. */
    static Map<String, Map> of(Map nb) {
        nb.cells.findAll { it.cell_type == 'code' }.collectEntries { c ->
            [(c.id): [count: c.execution_count, outputs: outputs(c.outputs as List)]]
        }
    }

    static List<Map> outputs(List outs) {
        List<Map> merged = []
        for (Map o in outs) {
            if (o.output_type == 'stream' && merged && merged[-1].type == 'stream' && merged[-1].name == o.name) {
                merged[-1].text = merged[-1].text + text(o.text)
                continue
            }
            switch (o.output_type) {
                case 'stream': merged << [type: 'stream', name: o.name, text: text(o.text)]; break
                case 'error': merged << [type: 'error', ename: o.ename, evalue: o.evalue]; break
                default: merged << [type: o.output_type, mimes: (o.data as Map).keySet().sort(), plain: text(o.data['text/plain']),
                                    html: o.data['text/html'] == null ? null : withoutSvg(text(o.data['text/html']))]
            }
        }
        merged.each { m -> m.keySet().toList().each { k -> if (m[k] instanceof String) { m[k] = normalize(m[k]) } } }
        merged
    }

    /** A text field: a string, or nbformat's list of lines. */
    static String text(Object v) {
        v instanceof List ? v.join('') : (v as String)
    }

    static String withoutSvg(String html) {
        html.replaceAll(/(?s)<svg\b.*?<\/svg>/, '<svg>(the graph)</svg>')
    }

    static String normalize(String s) {
        s.replaceAll(/time: \d+(\.\d+)? ms/, 'time: N ms')
                .replaceAll(/\b(up|snapshot) in \d+(\.\d+)? s\b/, '$1 in N s')
                .replaceAll(/\bpid[ =]\d+/, 'pid N')
                .replaceAll(/\/tmp\/[^\s"'<>)\],]+/, '/tmp/…')
    }
}
