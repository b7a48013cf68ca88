package io.skoop.netstack.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skoop.netstack.netfilter.NftTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the tables and base-chain hooks of {@code nft -j list ruleset} (libnftables-json(5):
 * a top-level {@code {"nftables": [ {"metainfo":…}, {"table":{family,name}}, {"chain":{family,
 * table,name,hook?}}, {"rule":…} ]}}). Rules are not modelled yet: the tables tell whether
 * netfilter holds anything the iptables model does not cover.
 */
public final class NftParser {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private NftParser() {
    }

    /**
     * @param file name for error messages
     * @param text the whole {@code nft -j list ruleset} output (empty text: no tables)
     * @throws ParseException naming the file and line when the text is not that JSON
     */
    public static List<NftTable> tables(String file, String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ParseException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null,
                    "malformed JSON (expected nft -j list ruleset output): " + e.getOriginalMessage(), e);
        }
        JsonNode list = root == null ? null : root.get("nftables");
        if (list == null || !list.isArray()) {
            throw new ParseException(file, 0, null, "expected an object with an \"nftables\" array, as nft -j list ruleset prints");
        }
        Map<String, String[]> order = new LinkedHashMap<>();
        Map<String, List<String>> hooks = new LinkedHashMap<>();
        for (JsonNode item : list) {
            JsonNode t = item.get("table");
            if (t != null) {
                String key = t.path("family").asText() + " " + t.path("name").asText();
                order.put(key, new String[] {t.path("family").asText(), t.path("name").asText()});
                hooks.putIfAbsent(key, new ArrayList<>());
            }
            JsonNode c = item.get("chain");
            if (c != null && c.hasNonNull("hook")) {
                hooks.computeIfAbsent(c.path("family").asText() + " " + c.path("table").asText(), k -> new ArrayList<>())
                        .add(c.get("hook").asText());
            }
        }
        List<NftTable> out = new ArrayList<>();
        order.forEach((k, fn) -> out.add(new NftTable(fn[0], fn[1], hooks.get(k))));
        return out;
    }
}
