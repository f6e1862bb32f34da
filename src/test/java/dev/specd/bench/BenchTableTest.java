package dev.specd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchTableTest {

    private static Map<String, Object> row(String config, double speed, Double acceptance) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", config);
        m.put("tokens_per_second", speed);
        m.put("acceptance", acceptance);
        return m;
    }

    @Test
    void csvAndJsonHoldTheSameRows(@TempDir Path dir) throws Exception {
        BenchTable.write(dir, "t", List.of(row("lossless, k=4", 12.5, 0.75), row("off", Double.NaN, null)));
        List<String> csv = Files.readAllLines(dir.resolve("t.csv"));
        assertEquals(List.of("config,tokens_per_second,acceptance", "\"lossless, k=4\",12.5000,0.7500", "off,,"), csv);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("t.json").toFile());
        assertEquals(2, json.size());
        assertEquals("lossless, k=4", json.get(0).get("config").asText());
        assertEquals(12.5, json.get(0).get("tokens_per_second").asDouble());
        assertTrue(json.get(1).get("acceptance").isNull());
        assertTrue(json.get(1).get("tokens_per_second").isNull());
    }

    @Test
    void refusesRowsWithOtherColumns(@TempDir Path dir) {
        Map<String, Object> other = new LinkedHashMap<>();
        other.put("config", "x");
        assertThrows(IllegalArgumentException.class, () -> BenchTable.write(dir, "t", List.of(row("a", 1, 1.0), other)));
        assertThrows(IllegalArgumentException.class, () -> BenchTable.write(dir, "t", List.of()));
    }
}
