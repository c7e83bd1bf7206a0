package main

import (
	"fmt"
	"net/http"
	"os"
)

// The deploy bot's token.
var githubToken = os.Getenv("GITHUB_TOKEN")

type client struct {
	SlackToken string
}

func main() {
	c := client{SlackToken: os.Getenv("SLACK_TOKEN")}
	req, _ := http.NewRequest("GET", "https://api.github.com/user", nil)
	req.Header.Set("Authorization", "token "+githubToken)
	fmt.Println(c.SlackToken != "", req != nil)
}
