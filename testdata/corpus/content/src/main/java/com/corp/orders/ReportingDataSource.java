package com.corp.orders;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.postgresql.ds.PGSimpleDataSource;

final class ReportingDataSource {
    static PGSimpleDataSource create(String host) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {host});
        ds.setUser("reporting");
        ds.setPassword("Rep0rting-Setter-7");
        return ds;
    }

    static Connection audit() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://audit-db:5432/audit", "auditor", "Aud1t0r-Pos-Arg");
    }

    static Connection local() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:5432/dev", "dev", System.getenv("DEV_DB_PASSWORD"));
    }
}
