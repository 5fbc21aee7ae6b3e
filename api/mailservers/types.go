package mailservers

// Mailserver is a mailserver the user knows (status-go's
// mailservers.Mailserver).
type Mailserver struct {
	// ID identifies the record; adding an ID again replaces it.
	ID string `json:"id"`
	// Name is the name shown to the user.
	Name string `json:"name"`
	// Address is the mailserver's enode URL.
	Address string `json:"address"`
	// Password is the mailserver's password; omitted when empty.
	Password string `json:"password,omitempty"`
	// Fleet is the fleet the mailserver belongs to (e.g. "eth.beta").
	Fleet string `json:"fleet"`
}

// MailserverRequestGap is a range of a chat's history not fetched yet
// (status-go's mailservers.MailserverRequestGap).
type MailserverRequestGap struct {
	// ID identifies the gap; adding an ID again replaces it, whichever
	// chat it was in.
	ID string `json:"id"`
	// ChatID is the chat the gap belongs to.
	ChatID string `json:"chatId"`
	// From is the start of the gap, as the frontend counts it (Unix
	// seconds in status-react).
	From uint64 `json:"from"`
	// To is the end of the gap.
	To uint64 `json:"to"`
}

// MailserverTopic is the request bookkeeping of one Whisper topic
// (status-go's mailservers.MailserverTopic).
type MailserverTopic struct {
	// Topic identifies the record (status-react sends the hex topic).
	Topic string `json:"topic"`
	// ChatIDs are the chats listening on the topic; null stays null.
	ChatIDs []string `json:"chat-ids"`
	// LastRequest is the end of the last completed request, Unix seconds.
	LastRequest int `json:"last-request"`
}

// ChatRequestRange is the span of a chat's history already requested
// (status-go's mailservers.ChatRequestRange).
type ChatRequestRange struct {
	// ChatID identifies the record.
	ChatID string `json:"chat-id"`
	// LowestRequestFrom is the lowest start of a request for the chat.
	LowestRequestFrom int `json:"lowest-request-from"`
	// HighestRequestTo is the highest end of a request for the chat.
	HighestRequestTo int `json:"highest-request-to"`
}

// PingQuery is mailservers_ping's parameter.
type PingQuery struct {
	// Addresses are enode URLs with an IPv4 address (no host names: they
	// are not resolved).
	Addresses []string `json:"addresses"`
	// TimeoutMs bounds each check, in milliseconds (status-react sends
	// 500); 1 to 60000.
	TimeoutMs int `json:"timeoutMs"`
}

// PingResult is the outcome of one address's check.
type PingResult struct {
	// Address is the enode URL as given.
	Address string `json:"address"`
	// RTTMs is the time the TCP connection took to open, in whole
	// milliseconds; null when the check failed, and (as in status-go)
	// when it took less than 1 ms.
	RTTMs *int `json:"rttMs"`
	// Error says why the check failed ("tcp check timeout: …", "unable
	// to connect: …", or why the URL is unusable); null on success.
	Error *string `json:"error"`
}
