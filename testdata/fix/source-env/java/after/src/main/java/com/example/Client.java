package com.example;

public class Client {
    private static final String GITHUB_TOKEN = System.getenv("GITHUB_TOKEN");
    private final String note = "it's \"quoted\"";

    String header() {
        return "token " + GITHUB_TOKEN;
    }
}
