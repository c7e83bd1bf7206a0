package com.corp.orders;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

class LegacyExporterTest {
    private static final String PASSWORD = "Testc0ntainers!";

    @Test
    void opens() throws Exception {
        String url = "jdbc:postgresql://localhost:5432/test?user=test&password=t3stc0nt";
        assertNotNull(new LegacyExporter(PASSWORD));
        assertNotNull(url);
    }
}
