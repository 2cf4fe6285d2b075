package org.tributary.jca.jms.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SelectorTest {
    private static final Map<String, Object> MSG = new HashMap<>();

    static {
        MSG.put("color", "red");
        MSG.put("size", 7);
        MSG.put("weight", 2.5);
        MSG.put("big", true);
        MSG.put("code", "A_1%");
        MSG.put("JMSType", "order");
        MSG.put("region", "eu-west");
        MSG.put("qtyHeader", "3");
    }

    private static boolean sel(String s) {
        return Selector.parse(s).matches(MSG::get);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "color = 'red'|true", "color <> 'red'|false", "size > 5 AND size < 10|true", "size >= 7 AND size <= 7|true",
            "size = 7.0|true", "weight * 2 = 5|true", "size + 3 = 10|true", "size - 10 = -3|true", "size / 2 = 3|true",
            "-size < 0|true", "size BETWEEN 1 AND 7|true", "size NOT BETWEEN 1 AND 7|false", "color IN ('blue','red')|true",
            "color NOT IN ('blue','red')|false", "region LIKE 'eu%'|true", "region LIKE 'e_-west'|true", "region NOT LIKE 'us%'|true",
            "code LIKE 'A\\_1\\%' ESCAPE '\\'|true", "code LIKE 'A\\_2%' ESCAPE '\\'|false", "missing IS NULL|true", "color IS NOT NULL|true",
            "big|true", "big = TRUE|true", "NOT big|false", "color = 'red' OR missing = 1|true", "missing = 1 OR color = 'blue'|false",
            "NOT (missing = 1)|false", "missing = 1 AND color = 'blue'|false", "JMSType = 'order'|true", "(size > 1) = TRUE|true",
            "color = 7|false", "color > 'a'|false", "size = 0x7|true", "weight > 2.4e0|true", "size IN ('7')|false",
            "missing NOT IN ('x')|false", "missing LIKE 'x'|false", "size * missing > 1 OR TRUE|true", "COLOR = 'red'|false",
            "color = 'it''s'|false", "qtyHeader BETWEEN 2 AND 4|true", "qtyHeader * 2 = 6|true", "qtyHeader = '3'|true",
            "color > 1|false", "NOT (color > 1)|true"})
    void evaluates(String selector, boolean expected) {
        assertEquals(expected, sel(selector), selector);
    }

    @Test
    void keywordsAreCaseInsensitiveIdentifiersAreNot() {
        assertTrue(sel("size between 1 and 9 and color in ('red') and not big = false"));
    }

    @Test
    void unknownIsNeitherTrueNorFalse() {
        assertFalse(sel("missing > 1"));
        assertFalse(sel("NOT (missing > 1)"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "color =", "color = 'red", "size BETWEEN 1", "color IN ()", "color IN (1)", "5 LIKE 'x'",
            "code LIKE 'x' ESCAPE 'ab'", "color == 'red'", "(size > 1", "size > 1 )", "color NOT 'x'", "a # b", "AND"})
    void rejectsBadSyntaxWithPosition(String selector) {
        SelectorException e = assertThrows(SelectorException.class, () -> Selector.parse(selector));
        assertTrue(e.getMessage().contains("position") || e.getMessage().contains("end"), e.getMessage());
    }
}
