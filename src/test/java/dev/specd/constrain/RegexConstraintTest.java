package dev.specd.constrain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The regex compiler against java.util.regex: sampled texts match, and membership agrees on probes. */
class RegexConstraintTest {

    @ParameterizedTest
    @ValueSource(strings = {"[a-c]{2,4}", "(yes|no|maybe)", "\\d{3}-\\d{4}", "h[eé]llo( world)?", "[^\\s]{1,3}x",
            "(?:ab)+c", "[A-Z][a-z]*\\.", "a.b", "\\w+@\\w+\\.(com|org)", "[\\u00e0-\\u00ff]{2}"})
    void sampledTextsMatch(String regex) {
        TokenConstraint c = new TokenConstraint(Grammar.compile(RegexCompiler.compile(regex, RegexCompiler.Mode.RAW)),
                TestVocab.space(), regex);
        Pattern p = Pattern.compile(regex);
        Random random = new Random(11);
        int ended = 0;
        for (int i = 0; i < 50; i++) {
            String text = RandomWalk.walk(c, random, 60, 0.5);
            if (text == null) continue;
            ended++;
            assertTrue(p.matcher(text).matches(), "'" + text + "' !~ " + regex);
        }
        assertTrue(ended >= 5, ended + " walks ended");
    }

    @Test
    void membershipAgreesWithJavaRegex() {
        String regex = "(ab|a)(c|bcd)(d*)";
        Grammar g = Grammar.compile(RegexCompiler.compile(regex, RegexCompiler.Mode.RAW));
        Pattern p = Pattern.compile(regex);
        for (String probe : List.of("abc", "abcd", "abcdd", "ac", "abbcd", "a", "", "acd", "abd", "abcdx")) {
            GrammarState s = g.start().advance(probe.getBytes(StandardCharsets.UTF_8));
            assertEquals(p.matcher(probe).matches(), s != null && s.isComplete(), probe);
        }
    }

    @Test
    void unsupportedFeaturesAreNamed() {
        assertEquals("backreference", assertThrows(UnsupportedConstraintException.class,
                () -> RegexCompiler.compile("(a)\\1", RegexCompiler.Mode.RAW)).keyword());
        assertEquals("lookaround", assertThrows(UnsupportedConstraintException.class,
                () -> RegexCompiler.compile("a(?=b)", RegexCompiler.Mode.RAW)).keyword());
        assertEquals("\\b", assertThrows(UnsupportedConstraintException.class,
                () -> RegexCompiler.compile("\\bword", RegexCompiler.Mode.RAW)).keyword());
        assertEquals("recursion", assertThrows(UnsupportedConstraintException.class,
                () -> Grammar.compile(RegexCompiler.compile("(a*)*", RegexCompiler.Mode.RAW))).keyword());
    }

    @Test
    void jsonStringModeEscapesQuotes() {
        Grammar g = Grammar.compile(RegexCompiler.compile("a\"b", RegexCompiler.Mode.JSON_STRING));
        assertTrue(g.start().advance("a\\\"b".getBytes()).isComplete());
        assertEquals(null, g.start().advance("a\"".getBytes()));
    }

    @Test
    void choicesAreExact() {
        TokenConstraint c = new Constraints(TestVocab.space()).choice(List.of("red", "rose", "blue"));
        Random random = new Random(5);
        for (int i = 0; i < 30; i++) {
            String text = RandomWalk.walk(c, random, 10, 0.5);
            assertTrue(List.of("red", "rose", "blue").contains(text), text);
        }
    }
}
