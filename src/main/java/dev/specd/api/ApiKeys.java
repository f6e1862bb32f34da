package dev.specd.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A set of API keys, each with a name: the name labels its metrics and log lines, the key itself
 * is kept only as its SHA-256 digest and never shown. Immutable; {@link ApiKeyStore} swaps whole
 * sets when the keys file changes.
 *
 * <p>Format, one key per entry (an item of {@code SPECD_API_KEYS}, a line of the keys file):
 * {@code name:key}, or a bare {@code key}, named {@code key-} and the first 8 hex digits of its
 * SHA-256. A name is 1 to 64 of {@code A-Z a-z 0-9 . _ -}; a key that contains {@code :} needs a
 * name. Blank entries and, in the file, lines starting with {@code #} are skipped.
 */
final class ApiKeys {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** A configured key: its name and the digest of the key. */
    record Key(String name, byte[] digest) {
        Key {
            digest = digest.clone();
        }
    }

    private final List<Key> keys;

    private ApiKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    static final ApiKeys NONE = new ApiKeys(List.of());

    /**
     * Parses entries; {@code where} names their source in errors ("SPECD_API_KEYS item 3",
     * "/etc/keys line 7"), which never quote an entry: it may hold a key.
     */
    static ApiKeys parse(List<Entry> entries) {
        List<Key> keys = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (Entry e : entries) {
            String text = e.text().strip();
            if (text.isEmpty()) continue;
            int colon = text.indexOf(':');
            String key = colon < 0 ? text : text.substring(colon + 1).strip();
            if (key.isEmpty()) throw new IllegalArgumentException(e.where() + ": the key is empty");
            byte[] digest = sha256(key);
            String name = colon < 0 ? "key-" + HexFormat.of().formatHex(digest, 0, 4) : text.substring(0, colon).strip();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(e.where() + ": a key name is 1 to 64 of A-Z a-z 0-9 . _ -");
            }
            if (!names.add(name)) throw new IllegalArgumentException(e.where() + ": the name '" + name + "' is taken");
            if (!digests.add(HexFormat.of().formatHex(digest))) {
                throw new IllegalArgumentException(e.where() + ": the same key as another entry");
            }
            keys.add(new Key(name, digest));
        }
        return new ApiKeys(keys);
    }

    /** One entry and where it came from. */
    record Entry(String where, String text) {
    }

    /** Entries of a comma-separated list ({@code specd.api-keys}), already split. */
    static List<Entry> listEntries(List<String> items) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) out.add(new Entry("specd.api-keys item " + (i + 1), items.get(i)));
        return out;
    }

    /** Entries of a keys file's text, without comments. */
    static List<Entry> fileEntries(String file, String text) {
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].strip().startsWith("#")) out.add(new Entry(file + " line " + (i + 1), lines[i]));
        }
        return out;
    }

    ApiKeys with(ApiKeys more) {
        List<Key> all = new ArrayList<>(keys);
        Set<String> names = new HashSet<>();
        for (Key k : keys) names.add(k.name());
        for (Key k : more.keys) {
            if (!names.add(k.name())) throw new IllegalArgumentException("the key name '" + k.name()
                    + "' is given both in specd.api-keys and in the keys file");
            all.add(k);
        }
        return new ApiKeys(all);
    }

    int size() {
        return keys.size();
    }

    List<String> names() {
        return keys.stream().map(Key::name).toList();
    }

    /**
     * The key {@code presented} is, compared in constant time: every configured key's digest is
     * compared in full with the presented key's, whichever matches, so the time taken says
     * nothing about how close a guess came or which key it hit.
     */
    Optional<Key> find(String presented) {
        byte[] digest = sha256(presented);
        Key found = null;
        for (Key k : keys) {
            if (MessageDigest.isEqual(k.digest(), digest) & found == null) found = k;
        }
        return Optional.ofNullable(found);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
