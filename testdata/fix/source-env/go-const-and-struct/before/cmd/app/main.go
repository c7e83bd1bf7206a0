package main

import (
	"fmt"
	"net/http"
)

// The deploy bot's token.
const githubToken = "ghp_FAKEfakeFAKEfake0123456789abcdefABCD"

type client struct {
	SlackToken string
}

func main() {
	c := client{SlackToken: "xoxb-1234567890123-1234567890123-FAKEfakeFAKEfake01234567"}
	req, _ := http.NewRequest("GET", "https://api.github.com/user", nil)
	req.Header.Set("Authorization", "token "+githubToken)
	fmt.Println(c.SlackToken != "", req != nil)
}
