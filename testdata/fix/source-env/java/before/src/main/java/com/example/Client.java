package com.example;

public class Client {
    private static final String GITHUB_TOKEN = "ghp_FAKEfakeFAKEfake0123456789abcdefABCD";
    private final String note = "it's \"quoted\"";

    String header() {
        return "token " + GITHUB_TOKEN;
    }
}
