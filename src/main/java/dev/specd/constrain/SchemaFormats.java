package dev.specd.constrain;

/**
 * JSON Schema string formats as regexes that only match valid values (as validators check them):
 * dates with the right days per month (29 February is left out: whether it exists depends on the
 * year, which a character grammar does not follow), times with an optional fraction and a zone
 * offset within ±18:00 (RFC 3339 allows ±23:59, but Java's validators, like java.time, stop at 18).
 */
final class SchemaFormats {

    private SchemaFormats() {
    }

    static final String DATE = "[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
            + "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))";
    static final String TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?"
            + "(?:Z|[+-](?:(?:0[0-9]|1[0-7]):[0-5][0-9]|18:00))";
    static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    static final String IPV4 = "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
            + "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
}
