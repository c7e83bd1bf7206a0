package com.corp.orders;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

public final class LegacyExporter {
    private static final String EXPORT_URL = "jdbc:postgresql://exports.corp.internal:5432/exports";
    private static final String EXPORT_USER = "exporter";
    private static final String EXPORT_PASSWORD = "Exp0rt3r#Pg-2022";
    private static final String PASSWORD_PROPERTY = "orders.export.password";

    private final String password;

    public LegacyExporter(String password) {
        this.password = password;
    }

    Connection open() throws SQLException {
        String pw = System.getProperty(PASSWORD_PROPERTY, EXPORT_PASSWORD);
        return DriverManager.getConnection(EXPORT_URL, EXPORT_USER, pw);
    }
}
