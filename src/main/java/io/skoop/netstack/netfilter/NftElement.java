package io.skoop.netstack.netfilter;

/**
 * One element of a set or map: the key (a constant, prefix, range, or a concatenation of
 * those) and, for a map, its data (an {@link NftExpr} for data maps, an {@link NftStmt.Verdict}
 * for verdict maps); {@code data} is null in a set.
 *
 * @param key  the element's key
 * @param data the mapped data, or null
 */
public record NftElement(NftExpr key, Object data) {
}
